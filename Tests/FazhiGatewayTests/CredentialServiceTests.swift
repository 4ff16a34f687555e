import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import Testing

@Suite(.timeLimit(.minutes(3))) struct CredentialServiceTests {
    @Test func aCredentialAdministratorRunsTheWholeLife() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                let service = Fazhi_V1_CredentialService.Client(wrapping: client)
                let asAdmin = bearer(corps.credentialAdminToken)
                let issued = corps.liCredential
                let year = Moment(instant: harness.clock.now).day.year
                #expect(issued.state == "active" && issued.standing.isEmpty && issued.number.hasPrefix("411202-MZ-\(year)-"))
                #expect(issued.areas == ["411202"], "the area defaults to the agency's division")
                #expect(issued.history.map(\.event) == ["apply", "issue"] && issued.history.last?.actor == "zhang")

                // May act: within its categories and area only.
                func authority(_ category: String, _ area: String) async throws -> Fazhi_V1_CheckAuthorityResponse {
                    try await service.checkAuthority(
                        .with {
                            $0.officerID = corps.liOfficerID
                            $0.category = category
                            $0.area = area
                        }, metadata: asAdmin)
                }
                #expect(try await authority("慈善", "411202").credentialNumber == issued.number)
                #expect(try await authority("婚姻登记", "411202").refusal == "CATEGORY_NOT_COVERED")
                #expect(try await authority("慈善", "411203").refusal == "AREA_NOT_COVERED")

                // Two administrators suspending at once: exactly one transition.
                let decision = Fazhi_V1_CredentialDecisionRequest.with {
                    $0.credentialID = issued.credentialID
                    $0.reason = "涉嫌违规，暂扣调查"
                }
                let outcomes = await runConcurrently(
                    (0..<2).map { _ in { @Sendable in _ = try await service.suspendCredential(decision, metadata: asAdmin) } })
                #expect(outcomes.count == 1, "one of the two suspensions is refused: \(outcomes)")
                #expect((outcomes.first as? RPCError)?.code == .failedPrecondition)
                #expect(try await authority("慈善", "411202").refusal == "CREDENTIAL_SUSPENDED")
                let reinstated = try await service.reinstateCredential(
                    .with {
                        $0.credentialID = issued.credentialID
                        $0.reason = "调查完毕"
                    }, metadata: asAdmin)
                #expect(reinstated.history.map(\.event) == ["apply", "issue", "suspend", "reinstate"])

                // A decision without a reason, or on an unknown id, is refused and names why.
                let noReason = await #expect(throws: RPCError.self) {
                    _ = try await service.revokeCredential(.with { $0.credentialID = issued.credentialID }, metadata: asAdmin)
                }
                #expect(noReason?.code == .invalidArgument)
                let badID = await #expect(throws: RPCError.self) {
                    _ = try await service.revokeCredential(
                        .with {
                            $0.credentialID = "not-a-uuid"
                            $0.reason = "x"
                        }, metadata: asAdmin)
                }
                #expect(badID?.code == .invalidArgument)

                // Replacement: a new number, the same term; the old one is superseded.
                let replacement = try await service.replaceCredential(
                    .with {
                        $0.credentialID = issued.credentialID
                        $0.reason = "证件遗失"
                    }, metadata: asAdmin)
                #expect(replacement.number != issued.number && replacement.validUntil == issued.validUntil && replacement.state == "active")
                let old = try await service.getCredential(.with { $0.credentialID = issued.credentialID }, metadata: asAdmin)
                #expect(old.state == "superseded" && old.successor == replacement.number)

                // Every state change of an issued credential queued a public-record entry.
                let owner = try await harness.database.ownerConnection()
                let outbox: [String] = try await owner.transaction(TransactionOptions(agencyID: try await harness.agencyID())) {
                    try await $0.query("SELECT subject || ':' || event FROM public_record_outbox ORDER BY id").map { try $0.decode(at: 0) }
                }
                owner.close()
                #expect(
                    outbox == [
                        "\(issued.number):issue", "\(issued.number):suspend", "\(issued.number):reinstate",
                        "\(issued.number):replace", "\(replacement.number):replacement",
                    ])

                // Rejecting 王's application; rejecting again is refused with the state named.
                _ = try await service.rejectCredential(
                    .with {
                        $0.credentialID = corps.wangApplication.credentialID
                        $0.reason = "材料不全"
                    }, metadata: asAdmin)
                let again = await #expect(throws: RPCError.self) {
                    _ = try await service.issueCredential(
                        .with {
                            $0.credentialID = corps.wangApplication.credentialID
                            $0.reason = "重新审核"
                        }, metadata: asAdmin)
                }
                #expect(again?.code == .failedPrecondition && again?.reason == "FAILED_PRECONDITION")
            }
        }
    }

    @Test func officersReadOnlyTheirOwnRecordAndOnlyAdministratorsSeeTheIDNumber() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                let service = Fazhi_V1_CredentialService.Client(wrapping: client)

                let byAdministrator = try await service.getOfficer(
                    .with { $0.officerID = corps.liOfficerID }, metadata: bearer(corps.credentialAdminToken))
                #expect(byAdministrator.idNumber == CorpsFixture.liIDNumber && !byAdministrator.idNumberMasked)
                #expect(byAdministrator.contact == CorpsFixture.liContact && byAdministrator.username == "li")

                let byAuditor = try await service.getOfficer(.with { $0.officerID = corps.liOfficerID }, metadata: bearer(corps.auditorToken))
                #expect(byAuditor.idNumber == "4112**********" + CorpsFixture.liIDNumber.suffix(4) && byAuditor.idNumberMasked)
                #expect(byAuditor.contact == "139****5678")
                let listed = try await service.listOfficers(.with { $0.page.pageSize = 1 }, metadata: bearer(corps.auditorToken))
                #expect(listed.officers.count == 1 && !listed.nextPageToken.isEmpty && listed.officers[0].idNumberMasked)
                // A page shows each officer, exams and training hours included, as reading them one by one does.
                _ = try await service.setTrainingHours(
                    .with {
                        $0.officerID = corps.liOfficerID
                        $0.year = 2026
                        $0.hours = 30
                    },
                    metadata: bearer(corps.credentialAdminToken))
                let page = try await service.listOfficers(.with { $0.page.pageSize = 50 }, metadata: bearer(corps.auditorToken))
                #expect(Set(page.officers.map(\.officerID)).isSuperset(of: [corps.liOfficerID, corps.wangOfficerID]))
                #expect(page.officers.contains { !$0.examResults.isEmpty } && page.officers.contains { !$0.trainingHours.isEmpty })
                for officer in page.officers {
                    #expect(try await service.getOfficer(.with { $0.officerID = officer.officerID }, metadata: bearer(corps.auditorToken)) == officer)
                }

                // 李 reads his own record (contact yes, ID masked) and his credentials; not 王's.
                let own = try await service.getOfficer(.init(), metadata: bearer(corps.liToken))
                #expect(own.officerID == corps.liOfficerID && own.idNumberMasked && own.contact == CorpsFixture.liContact)
                let mine = try await service.listCredentials(.init(), metadata: bearer(corps.liToken))
                #expect(mine.credentials.map(\.number) == [corps.liCredential.number])
                for attempt: @Sendable () async throws -> Void in [
                    { _ = try await service.getOfficer(.with { $0.officerID = corps.wangOfficerID }, metadata: bearer(corps.liToken)) },
                    {
                        _ = try await service.getCredential(
                            .with { $0.credentialID = corps.wangApplication.credentialID }, metadata: bearer(corps.liToken))
                    },
                    { _ = try await service.listCredentials(.with { $0.officerID = corps.wangOfficerID }, metadata: bearer(corps.liToken)) },
                    {
                        _ = try await service.checkAuthority(
                            .with {
                                $0.officerID = corps.wangOfficerID
                                $0.category = "养老服务"
                                $0.area = "411202"
                            }, metadata: bearer(corps.liToken))
                    },
                    {
                        _ = try await service.getVerificationCode(
                            .with { $0.credentialID = corps.wangApplication.credentialID }, metadata: bearer(corps.liToken))
                    },
                ] {
                    let error = await #expect(throws: RPCError.self) { try await attempt() }
                    #expect(error?.code == .permissionDenied)
                }
            }
        }
    }

    @Test func theSameResidentIDNumberIsOneOfficerAndABadOneIsNamed() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                let service = Fazhi_V1_CredentialService.Client(wrapping: client)
                let asAdmin = bearer(corps.credentialAdminToken)
                let duplicate = await #expect(throws: RPCError.self) {
                    _ = try await service.createOfficer(
                        .with {
                            $0.name = "李明"
                            $0.unit = "科"
                            $0.position = "科员"
                            $0.idNumber = CorpsFixture.liIDNumber
                        }, metadata: asAdmin)
                }
                #expect(duplicate?.code == .alreadyExists)
                var wrongCheck = CorpsFixture.liIDNumber
                wrongCheck.removeLast()
                wrongCheck += CorpsFixture.liIDNumber.last == "1" ? "2" : "1"
                let invalid = await #expect(throws: RPCError.self) {
                    _ = try await service.createOfficer(
                        .with {
                            $0.name = "某"
                            $0.unit = "科"
                            $0.position = "科员"
                            $0.idNumber = wrongCheck
                        }, metadata: asAdmin)
                }
                #expect(invalid?.code == .invalidArgument && invalid?.localizedMessages["en"]?.contains("check character") == true)
            }
        }
    }

    @Test func anOfficersPlainIDNumberIsInNoColumnIndexLogLineOrDump() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                _ = try await CorpsFixture.make(harness, client)
                let secrets = [CorpsFixture.liIDNumber, CorpsFixture.wangIDNumber, CorpsFixture.liContact]
                let dump = try pgDump(harness.database.ownerURL, agency: try await harness.agencyID())
                #expect(
                    dump.contains("李明") && dump.contains("4112**********"), "the dump holds the officers (a dump that holds nothing proves nothing)")
                for secret in secrets {
                    #expect(!dump.contains(secret), "pg_dump output holds personal data")
                    #expect(!harness.logs.all.contains { $0.contains(secret) }, "a log line holds personal data")
                }
                // Indexes are part of the dump's definitions, not their contents: look inside
                // every text and bytea value of every table, indexes' key columns included.
                let owner = try await harness.database.ownerConnection()
                let hits: Int = try await owner.transaction(TransactionOptions(agencyID: try await harness.agencyID())) {
                    try await $0.scalar(
                        """
                        SELECT count(*)::int FROM (
                            SELECT to_jsonb(o)::text AS row FROM officers o
                            UNION ALL SELECT to_jsonb(a)::text FROM agency_audit_log a
                            UNION ALL SELECT to_jsonb(p)::text FROM public_record_outbox p
                            UNION ALL SELECT to_jsonb(i)::text FROM idempotency_keys i
                        ) r WHERE row LIKE '%' || $1 || '%' OR row LIKE '%' || $2 || '%' OR row LIKE '%' || $3 || '%'
                        """, secrets)
                }
                owner.close()
                #expect(hits == 0)
                #expect(dump.contains("public_record_outbox") && dump.contains("id_number_sealed"))
            }
        }
    }
}

/// The whole database as `pg_dump` writes it (schema and data), the agency's rows
/// included: row-level security applies to the owner too, so the dump runs as that agency.
func pgDump(_ url: String, agency: UUID) throws -> String {
    let process = Process()
    process.executableURL = try EmbeddedClusterBinaries.pgDump()
    process.arguments = ["--no-owner", "--enable-row-security", "--dbname", url]
    process.environment = ProcessInfo.processInfo.environment.merging(["PGOPTIONS": "-c fazhi.agency_id=\(agency.uuidString)"]) { $1 }
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        Issue.record("pg_dump failed: \(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        throw CancellationError()
    }
    return String(decoding: data, as: UTF8.self)
}

enum EmbeddedClusterBinaries {
    static func pgDump() throws -> URL { try FazhiPostgres.EmbeddedCluster.binaryDirectory().appendingPathComponent("pg_dump") }
}
