import CSV
import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

/// The year's figures against a data set made in the test through the real services, with
/// every answer known in advance.
@Suite(.timeLimit(.minutes(3))) struct StatisticsTests {
    @Test func everyFigureMatchesTheDataSet() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await CaseServiceTests.bench(harness, client)
                let corps = bench.corps
                let li = bearer(corps.liToken)
                let wang = bearer(corps.wangToken)
                let two = [corps.liOfficerID, corps.wangOfficerID]
                let cases = Fazhi_V1_CaseService.Client(wrapping: client)
                func both(_ id: String, _ step: String, fine: String = "") async throws {
                    _ = try await cases.takeStep(
                        .with {
                            $0.caseID = id
                            $0.step = step
                            $0.officerIds = two
                            $0.intendedFine = fine
                        }, metadata: li)
                    _ = try await cases.confirmStep(.with { $0.caseID = id }, metadata: wang)
                }
                func open(_ item: String, party: String) async throws -> String {
                    let id = try await cases.openCase(
                        .with {
                            $0.itemCode = item
                            $0.partyID = party
                            $0.officerIds = two
                        }, metadata: li
                    ).caseID
                    _ = try await cases.confirmStep(.with { $0.caseID = id }, metadata: wang)
                    return id
                }
                // A person, to prove no figure carries a name.
                let person = try await Fazhi_V1_PartyService.Client(wrapping: client).createParty(
                    .with {
                        $0.kind = "person"
                        $0.name = "赵六"
                        $0.idNumber = PartyServiceTests.personID
                        $0.area = "411202"
                    }, metadata: li
                ).partyID
                // Penalty 1: minor, 2 000 yuan, on the person.
                let minor = try await open("MZ-CF-001", party: person)
                try await both(minor, "investigate")
                try await both(minor, "notify", fine: "2000")
                _ = try await cases.approveCase(.with { $0.caseID = minor }, metadata: bench.approver)
                _ = try await cases.decideCase(
                    .with {
                        $0.caseID = minor
                        $0.outcome = "罚款"
                        $0.legalBasis = "条例"
                        $0.fine = "2000"
                    }, metadata: li)
                // Penalty 2: major, 20 000.50 yuan, legal review returned once, then approved.
                let major = try await open("MZ-CF-001", party: bench.partyID)
                try await both(major, "investigate")
                try await both(major, "notify", fine: "20000.50")
                _ = try await cases.reviewCase(
                    .with {
                        $0.caseID = major
                        $0.outcome = "return"
                        $0.text = "补充证据"
                    }, metadata: bench.reviewer)
                try await both(major, "notify", fine: "20000.50")
                _ = try await cases.reviewCase(
                    .with {
                        $0.caseID = major
                        $0.outcome = "approve"
                        $0.text = "同意"
                    }, metadata: bench.reviewer)
                _ = try await cases.approveCase(.with { $0.caseID = major }, metadata: bench.approver)
                _ = try await cases.decideCase(
                    .with {
                        $0.caseID = major
                        $0.outcome = "罚款"
                        $0.legalBasis = "条例"
                        $0.fine = "20000.50"
                    }, metadata: li)
                // An inspection with two findings, one verified rectified in time.
                let inspection = try await open("MZ-JC-002", party: bench.partyID)
                try await both(inspection, "inspect")
                let found = try await cases.recordFindings(
                    .with {
                        $0.caseID = inspection
                        $0.findings = [
                            .with {
                                $0.checklistCode = "GEN-2"
                                $0.description_p = "财务制度未执行"
                            },
                            .with {
                                $0.checklistCode = "GEN-3"
                                $0.description_p = "消防隐患"
                            },
                        ]
                    }, metadata: li)
                try await both(inspection, "reinspect")
                _ = try await cases.verifyRectification(
                    .with {
                        $0.caseID = inspection
                        $0.findingIds = [found.findings[0].findingID]
                    }, metadata: li)

                // 王's credential suspended after the acts: not valid at year end.
                _ = try await Fazhi_V1_CredentialService.Client(wrapping: client).suspendCredential(
                    .with {
                        $0.credentialID = bench.wangCredential.credentialID
                        $0.reason = "调查"
                    }, metadata: bearer(corps.credentialAdminToken))

                // Disclosures: the two credentials, the power list, the two decisions; one withdrawn.
                let agency = try #require(try await harness.store.agency(code: GatewayHarness.agencyCode))
                try await DisclosurePublishingWork(store: harness.store).run(agency: agency, at: Moment(instant: harness.clock.now))
                let disclosures = Fazhi_V1_DisclosureService.Client(wrapping: client)
                let decisions = try await disclosures.listDisclosures(
                    .with {
                        $0.agencyCode = GatewayHarness.agencyCode
                        $0.kind = "decision"
                    })
                _ = try await disclosures.withdrawDisclosure(
                    .with {
                        $0.id = decisions.entries[0].id
                        $0.reason = "复议撤销"
                        $0.changedOn = Moment(instant: harness.clock.now).day.description
                    }, metadata: bench.approver)

                let password = try await harness.createUser(client, adminToken: corps.adminToken, username: "qian", roles: [.complianceOfficer])
                let compliance = bearer(try await harness.login(client, username: "qian", password: password))
                let service = Fazhi_V1_StatisticsService.Client(wrapping: client)
                let now = Moment(instant: harness.clock.now)
                let s = try await service.getAnnualStatistics(.with { $0.year = Int32(now.day.year) }, metadata: compliance)
                #expect(s.agencyCode == GatewayHarness.agencyCode && s.year == Int32(now.day.year))
                #expect(s.officersAtYearEnd == 2 && s.validCredentialsAtYearEnd == 1)
                #expect(s.credentialsIssued == 2 && s.credentialsRenewed == 0 && s.credentialsReplaced == 0 && s.credentialsReviewed == 0)
                #expect(s.credentialsSuspended == 1 && s.credentialsRevoked == 0)
                #expect(s.casesOpened == 3 && s.decisions == 2)
                #expect(s.casesByItem.map { "\($0.itemCode):\($0.cases):\($0.decisions)" } == ["MZ-CF-001:2:2", "MZ-JC-002:1:0"])
                #expect(s.casesByPowerCategory.map { "\($0.category):\($0.cases):\($0.decisions)" } == ["inspection:1:0", "penalty:2:2"])
                #expect(s.inspections == 1 && s.findings == 2 && s.rectifiedOnTime == 1 && s.rectifiedLate == 0 && s.rectificationOpen == 1)
                #expect(s.penaltyDecisions == 2 && s.totalFines == "22000.5")
                #expect(s.legalReviewsApproved == 1 && s.legalReviewsReturned == 1 && s.legalReviewsRejected == 0)
                // The suspension is a change of the personnel list too: six entries on time.
                #expect(s.disclosuresOnTime == 6 && s.disclosuresLate == 0 && s.withdrawals == 1)
                let month = try #require(s.months.first { $0.month == Int32(now.day.month) })
                #expect(s.months.count == 12 && month.casesOpened == 3 && month.decisions == 2 && month.inspections == 1 && month.disclosures == 6)
                #expect(
                    s.months.filter { $0.month != Int32(now.day.month) }.allSatisfy {
                        $0.casesOpened == 0 && $0.decisions == 0 && $0.disclosures == 0
                    })
                // Another year is empty; no figure names a person.
                let before = try await service.getAnnualStatistics(.with { $0.year = Int32(now.day.year - 1) }, metadata: compliance)
                #expect(before.casesOpened == 0 && before.credentialsIssued == 0 && before.officersAtYearEnd == 0 && before.totalFines == "0")
                #expect(!s.textFormatString().contains("赵") && !s.textFormatString().contains(PartyServiceTests.personID))
                // Officers may not read them; auditors may.
                let denied = await #expect(throws: RPCError.self) {
                    _ = try await service.getAnnualStatistics(.with { $0.year = 2026 }, metadata: li)
                }
                #expect(denied?.code == .permissionDenied)
                let bad = await #expect(throws: RPCError.self) {
                    _ = try await service.getAnnualStatistics(.with { $0.year = 1900 }, metadata: compliance)
                }
                #expect(bad?.code == .invalidArgument)

                // Exports: CSV (BOM, Chinese headers, RFC 4180) read back by an independent reader; JSON.
                func export(_ format: String, _ table: String = "") async throws -> Data {
                    try await service.exportStatistics(
                        .with {
                            $0.year = Int32(now.day.year)
                            $0.format = format
                            $0.table = table
                        }, metadata: compliance
                    ) { response in
                        var data = Data()
                        for try await chunk in response.messages { data.append(chunk.data) }
                        return data
                    }
                }
                let csv = try await export("csv")
                #expect(csv.starts(with: [0xEF, 0xBB, 0xBF]), "UTF-8 with a byte order mark")
                let text = String(decoding: csv.dropFirst(3), as: UTF8.self)
                #expect(text.contains("\r\n") && !text.contains("赵六") && !text.contains(PartyServiceTests.personID))
                let reader = try CSVReader(string: text, hasHeaderRow: true)
                #expect(reader.headerRow == CaseExportRow.headers)
                var rows: [[String]] = []
                while let row = reader.next() { rows.append(row) }
                #expect(rows.count == 3 && rows.allSatisfy { $0.count == CaseExportRow.headers.count })
                #expect(Set(rows.map { $0[4] }) == ["自然人", "湖滨区某某协会"], "organizations named, persons never")
                #expect(Set(rows.map { $0[11] }) == ["2000", "20000.5", ""])
                let summary = try CSVReader(
                    string: String(decoding: try await export("csv", "summary").dropFirst(3), as: UTF8.self), hasHeaderRow: true)
                var figures: [String: String] = [:]
                while let row = summary.next() { figures[row[0]] = row[1] }
                #expect(figures["罚款合计（元）"] == "22000.5" && figures["立案（执法行为）"] == "3" && figures["按职权类别（立案/决定）"] == "inspection 1/0；penalty 2/2")
                struct Exported: Decodable {
                    let statistics: AnnualStatistics
                    let cases: [CaseExportRow]
                }
                let json = try JSONDecoder().decode(Exported.self, from: try await export("json"))
                #expect(json.statistics.casesOpened == 3 && json.statistics.totalFines == Decimal(string: "22000.5") && json.cases.count == 3)
                // The CSV of case rows is written by the database; it says what the rows say.
                #expect(rows == json.cases.map(\.fields))
                // XLSX: a sheet per table; LibreOffice opens it, and each sheet converted back to
                // CSV holds what the CSV export of that table holds.
                let xlsx = try await export("xlsx")
                #expect(xlsx.starts(with: [0x50, 0x4B, 0x03, 0x04]), "a ZIP package")
                let sheets = try await Self.libreOfficeSheets(xlsx)
                for table in StatisticsTable.allCases {
                    let ours = try CSVReader(
                        string: String(decoding: try await export("csv", table.rawValue).dropFirst(3), as: UTF8.self), hasHeaderRow: false)
                    var expected: [[String]] = []
                    while let row = ours.next() { expected.append(row) }
                    let theirs = try CSVReader(
                        string: try #require(sheets[table.title], "sheet \(table.title) missing: \(sheets.keys)"), hasHeaderRow: false)
                    var converted: [[String]] = []
                    while let row = theirs.next() { converted.append(row) }
                    #expect(converted == expected, "sheet \(table.title)")
                }
                let html = String(decoding: try await export("html"), as: UTF8.self)
                #expect(html.contains("<svg") && html.contains("罚款合计（元）") && html.contains("22000.5") && !html.contains("赵六"))
                let officerExport = await #expect(throws: RPCError.self) {
                    _ = try await service.exportStatistics(.with { $0.year = Int32(now.day.year) }, metadata: li) { response in
                        for try await _ in response.messages {}
                    }
                }
                #expect(officerExport?.code == .permissionDenied)

                // Publication: only a finished year; in January it is on time, and once only.
                let unfinished = await #expect(throws: RPCError.self) {
                    _ = try await service.publishAnnualStatistics(.with { $0.year = Int32(now.day.year) }, metadata: compliance)
                }
                #expect(unfinished?.code == .invalidArgument)
                let january = Moment(instant: harness.clock.now.addingTimeInterval(40 * 86_400))
                let caller = Caller(
                    agency: agency, userID: UUID(), username: "qian", displayName: "钱", roles: [.complianceOfficer], proof: .session, sessionID: nil)
                let work = StatisticsWork(store: harness.store)
                let call = CallAudit(
                    method: "fazhi.v1.StatisticsService/PublishAnnualStatistics", peer: "test", requestID: "r", elapsedMicroseconds: { 0 })
                let entry = try await work.publish(caller, year: now.day.year, call: call, at: january)
                #expect(entry.late == false && entry.due?.description == "\(now.day.year + 1)-01-31")
                let published = try await disclosures.listDisclosures(
                    .with {
                        $0.agencyCode = GatewayHarness.agencyCode
                        $0.kind = "annual_statistics"
                    })
                let fields = try JSONDecoder().decode([String: String].self, from: Data(try #require(published.entries.first).content.utf8))
                #expect(
                    published.entries.count == 1 && fields["cases_opened"] == "3" && fields["total_fines"] == "22000.5"
                        && fields["withdrawals"] == "1")
                await #expect(throws: DomainError.self) { _ = try await work.publish(caller, year: now.day.year, call: call, at: january) }
            }
        }
    }

    /// Converts an .xlsx with LibreOffice (Debian's libreoffice-calc-nogui) to one CSV per
    /// sheet; returns each sheet's CSV text by sheet name. Runs on a thread of its own.
    static func libreOfficeSheets(_ workbook: Data) async throws -> [String: String] {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lo-\(UUID().uuidString)")
                        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                        defer { try? FileManager.default.removeItem(at: directory) }
                        let file = directory.appendingPathComponent("export.xlsx")
                        try workbook.write(to: file)
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/usr/bin/soffice")
                        // UTF-8 (76), comma, double quote, every sheet (-1) to its own file.
                        process.arguments = [
                            "-env:UserInstallation=file://\(directory.path)/profile", "--headless", "--convert-to",
                            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", directory.path, file.path,
                        ]
                        process.standardOutput = FileHandle.nullDevice
                        process.standardError = FileHandle.nullDevice
                        try process.run()
                        process.waitUntilExit()
                        var sheets: [String: String] = [:]
                        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path)
                        where name.hasPrefix("export-") && name.hasSuffix(".csv") {
                            sheets[String(name.dropFirst("export-".count).dropLast(4))] = try String(
                                contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
                        }
                        return sheets
                    })
            }
        }
    }
}
