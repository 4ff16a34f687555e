import FazhiGateway
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import Logging
import SwiftProtobuf
import Testing

/// A decision full of personal data (names, a nickname, addresses in several forms, ID,
/// phone and card numbers) published, then corrected with the person's name written out
/// again, then the correction withdrawn with a reason that names them too. Afterwards
/// every public answer (gRPC lists, entries and log, portal pages, the log's entry
/// bundles) is scanned for each of them; and the withdrawn entry verifies in Chromium.
@Suite(.timeLimit(.minutes(5))) struct PublicRedactionTests {
    static let personal = [
        "丁萱", "小丁", "老丁", PartyServiceTests.personID, "幸福路12号", "13800001111", "13912345678", "6222021234567890123",
        "周小平", "黄河路5号", "上村12号", "崖底村5号", "0398-2861234",
    ]

    @Test func nothingPersonalReachesAnyPublicAnswer() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await CaseServiceTests.bench(harness, client)
                let corps = bench.corps
                _ = try await bench.decideMinorPenalty(
                    client, personName: "丁萱", fine: "500", basis: "《社会团体登记管理条例》第三十五条",
                    outcome: """
                        当事人丁萱（小丁），身份证号\(PartyServiceTests.personID)，住湖滨区幸福路12号，手机13800001111，\
                        以协会名义募捐，罚没款缴入6222021234567890123。举报人周小平（家住湖滨区黄河路5号）反映属实。
                        姓名|联系电话
                        周小平|0398-2861234
                        """)

                let agency = try #require(try await harness.store.agency(code: GatewayHarness.agencyCode))
                let log = DisclosureLogWork(store: harness.store, sealer: GatewayHarness.secrets.signingKeys)
                try await DisclosurePublishingWork(store: harness.store).run(agency: agency, at: Moment(instant: harness.clock.now))
                try await log.sequence(agency: agency, at: harness.clock.now)
                let disclosures = Fazhi_V1_DisclosureService.Client(wrapping: client)
                let decision = try #require(
                    try await disclosures.listDisclosures(
                        .with {
                            $0.agencyCode = GatewayHarness.agencyCode
                            $0.kind = "decision"
                        }
                    ).entries.first)

                // A correction that writes the name out again, in its fields and its reason.
                let compliance = bearer(
                    try await harness.login(
                        client, username: "wu",
                        password: try await harness.createUser(client, adminToken: corps.adminToken, username: "wu", roles: [.complianceOfficer])))
                let correction = try await disclosures.correctDisclosure(
                    .with {
                        $0.id = decision.id
                        $0.fields = ["party": "丁萱", "outcome": "丁萱 申请复核，现住：湖滨区会兴街道上村12号，电话 13912345678，予以警告。"]
                        $0.reason = "更正：丁萱 电话 13800001111 有误；老丁户籍地湖滨区崖底街道崖底村5号"
                    }, metadata: compliance)
                // While it stands, the correction is as redacted as the first publication.
                try await log.sequence(agency: agency, at: harness.clock.now)
                let standing = try await disclosures.getDisclosure(
                    .with {
                        $0.agencyCode = GatewayHarness.agencyCode
                        $0.id = correction.id
                    })
                let standingText = String(decoding: try standing.serializedBytes() as [UInt8], as: UTF8.self)
                for secret in Self.personal { #expect(!standingText.contains(secret), "the correction carries \(secret)") }
                let fields =
                    standing.entry.content.isEmpty ? [:] : try JSONDecoder().decode([String: String].self, from: Data(standing.entry.content.utf8))
                #expect(fields["party"] == "丁**" && fields["correction_reason"]?.contains("丁**") == true, "\(fields)")
                let today = Moment(instant: harness.clock.now).day
                let notice = try await disclosures.withdrawDisclosure(
                    .with {
                        $0.id = correction.id
                        $0.reason = "丁萱 本人申请撤回，住湖滨区幸福路12号"
                        $0.changedOn = today.description
                    }, metadata: bench.approver)
                let size = try #require(try await log.sequence(agency: agency, at: harness.clock.now)).size

                // Every gRPC answer the public can get.
                var answers: [(String, any SwiftProtobuf.Message)] = []
                let list = try await disclosures.listDisclosures(
                    .with {
                        $0.agencyCode = GatewayHarness.agencyCode
                        $0.pageSize = 500
                    })
                answers.append(("ListDisclosures", list))
                for entry in list.entries {
                    answers.append(
                        (
                            "GetDisclosure \(entry.title)",
                            try await disclosures.getDisclosure(
                                .with {
                                    $0.agencyCode = GatewayHarness.agencyCode
                                    $0.id = entry.id
                                })
                        ))
                }
                answers.append(
                    (
                        "ListLogEntries",
                        try await disclosures.listLogEntries(
                            .with {
                                $0.agencyCode = GatewayHarness.agencyCode
                                $0.start = 0
                                $0.count = 1000
                            })
                    ))
                #expect(list.entries.contains { $0.id == notice.id } && list.entries.contains { $0.id == correction.id })
                for (name, answer) in answers {
                    let text = String(decoding: try answer.serializedBytes() as [UInt8], as: UTF8.self)
                    for secret in Self.personal { #expect(!text.contains(secret), "\(name) carries \(secret)") }
                }
                let withdrawnCorrection = try #require(list.entries.first { $0.id == correction.id })
                #expect(
                    withdrawnCorrection.state == "withdrawn" && withdrawnCorrection.content.isEmpty, "the withdrawn correction's content is erased")
                let reason = try JSONDecoder().decode(
                    [String: String].self, from: Data(try #require(list.entries.first { $0.id == notice.id }).content.utf8))["reason"]
                #expect(
                    reason?.contains("丁**") == true && reason?.contains(Redactor.removed) == true,
                    "the withdrawal's reason is redacted: \(reason ?? "")")

                // The log's entry bundles, as the portal serves them to transparency tools.
                for index in 0...(size / TilePath.width) {
                    guard let available = TilePath.available(.entries, index: index, treeSize: size),
                        let tile = try await log.tile(agency: agency, available)
                    else { continue }
                    let text = String(decoding: tile, as: UTF8.self)
                    for secret in Self.personal { #expect(!text.contains(secret), "entry bundle \(index) carries \(secret)") }
                }

                // The portal's pages, as a browser renders them.
                try await harness.withPortal { port in
                    let base = "https://127.0.0.1:\(port)/\(GatewayHarness.agencyCode)"
                    var pages = [base + "/disclosures", base + "/disclosures?lang=en", base + "/disclosures?party_type=person"]
                    pages += [decision.id, correction.id, notice.id].map { base + "/disclosures/\($0)" }
                    for page in pages {
                        let dom = try await PortalTests.chromium(page)
                        for secret in Self.personal { #expect(!dom.contains(secret), "\(page) carries \(secret)") }
                    }

                    // The withdrawn correction verifies in the browser and says why it was withdrawn.
                    let withdrawn = try await PortalTests.chromium(base + "/disclosures/\(correction.id)")
                    #expect(withdrawn.contains("data-result=\"verified\""), "a withdrawn entry verifies: \(withdrawn.suffix(800))")
                    #expect(withdrawn.contains("撤回理由") && withdrawn.contains("本人申请撤回"), "with the withdrawal's reason")
                    #expect(!withdrawn.contains("核验失败"))

                    // Refusals the portal gives as HTTP statuses, not server errors.
                    #expect(try await Self.status(base + "/disclosures?q=%00") == 400)
                    #expect(try await Self.status(base + "/disclosures/\(UUID().uuidString.lowercased())") == 404)
                    #expect(try await Self.status(base + "/disclosures/not-an-id") == 404)
                    #expect(try await Self.status(base + "/log/tile/entries/x999/x999/x999/x999/x999/x999/999") == 404)
                }
            }
        }
    }

    /// The HTTP status of a GET, by curl, on a thread of its own.
    static func status(_ url: String) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
                        process.arguments = ["-sk", "-o", "/dev/null", "-w", "%{http_code}", url]
                        let output = Pipe()
                        process.standardOutput = output
                        try process.run()
                        let data = output.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        return Int(String(decoding: data, as: UTF8.self)) ?? -1
                    })
            }
        }
    }
}
