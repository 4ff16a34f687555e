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

@Suite(.timeLimit(.minutes(3))) struct DisclosureServiceTests {
    /// A penalty decision on a natural person, with personal data in its text, published
    /// from the outbox: redacted, in the log, provable by anyone without signing in;
    /// then withdrawn by an approver: content gone, proof intact, withdrawal public.
    @Test func aDecisionIsPublishedRedactedProvedAndWithdrawn() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await CaseServiceTests.bench(harness, client)
                let corps = bench.corps
                let li = bearer(corps.liToken)
                let kase = try await bench.decideMinorPenalty(
                    client, personName: "赵六", fine: "2000", basis: "《社会团体登记管理条例》第三十条",
                    outcome: "当事人赵六（身份证号\(PartyServiceTests.personID)，住址：湖滨区湖滨路1号，电话13800001111）以协会名义募捐，处罚款二千元。")

                let agency = try #require(try await harness.store.agency(code: GatewayHarness.agencyCode))
                let log = DisclosureLogWork(store: harness.store, sealer: GatewayHarness.secrets.signingKeys)
                try await DisclosurePublishingWork(store: harness.store).run(agency: agency, at: Moment(instant: harness.clock.now))
                let first = try #require(try await log.sequence(agency: agency, at: harness.clock.now))

                // Anyone, without signing in.
                let disclosures = Fazhi_V1_DisclosureService.Client(wrapping: client)
                let listed = try await disclosures.listDisclosures(
                    .with {
                        $0.agencyCode = GatewayHarness.agencyCode
                        $0.kind = "decision"
                    })
                let decision = try #require(listed.entries.first)
                #expect(listed.entries.count == 1 && decision.subject == kase.decision.documentNumber)
                let fields = try JSONDecoder().decode([String: String].self, from: Data(decision.content.utf8))
                #expect(fields["party"] == "赵**" && fields["party_type"] == "person" && fields["fine"] == "2000")
                for secret in ["赵六", PartyServiceTests.personID, "湖滨路1号", "13800001111"] {
                    #expect(!decision.content.contains(secret), "\(secret) published")
                }
                #expect(fields["officers"]?.contains(corps.liCredential.number) == true, "officers stay named")
                // 事前 entries: the credentials issued by the bench.
                let personnel = try await disclosures.listDisclosures(
                    .with {
                        $0.agencyCode = GatewayHarness.agencyCode
                        $0.kind = "enforcement_personnel"
                    })
                #expect(personnel.entries.count == 2 && personnel.entries.allSatisfy { $0.state == "published" && $0.late == false })

                let key = try SignedNote.VerifierKey(try await disclosures.getLogKey(.with { $0.agencyCode = GatewayHarness.agencyCode }).verifierKey)
                func proved(_ id: String) async throws -> DisclosureEntry {
                    let answer = try await disclosures.getDisclosure(
                        .with {
                            $0.agencyCode = GatewayHarness.agencyCode
                            $0.id = id
                        })
                    let entry = try DisclosureEntry(answer.entry)
                    try DisclosureVerification.verifyEntry(entry, proof: answer.inclusionProof, checkpointNote: answer.checkpoint, verifier: key)
                    return entry
                }
                _ = try await proved(decision.id)

                // Withdrawal: approvers only, with a public reason.
                let officerTry = await #expect(throws: RPCError.self) {
                    _ = try await disclosures.withdrawDisclosure(
                        .with {
                            $0.id = decision.id
                            $0.reason = "撤销"
                            $0.changedOn = "2026-01-01"
                        }, metadata: li)
                }
                #expect(officerTry?.code == .permissionDenied)
                let today = Moment(instant: harness.clock.now).day
                let notice = try await disclosures.withdrawDisclosure(
                    .with {
                        $0.id = decision.id
                        $0.reason = "经行政复议决定撤销"
                        $0.changedOn = today.description
                    }, metadata: bench.approver)
                #expect(notice.action == "withdraw" && notice.refersTo == decision.id)
                try await log.sequence(agency: agency, at: harness.clock.now)
                let withdrawn = try await proved(decision.id)
                #expect(withdrawn.state == .withdrawn && withdrawn.content == nil)
                let after = try await disclosures.listDisclosures(
                    .with {
                        $0.agencyCode = GatewayHarness.agencyCode
                        $0.kind = "decision"
                    })
                #expect(after.entries.count == 2 && !after.entries.contains { $0.content.contains("二千元") })
                #expect(try await proved(notice.id).fields["reason"] == "经行政复议决定撤销")

                // The whole log verifies, and extends an earlier checkpoint.
                let checkpoint = try await disclosures.getCheckpoint(.with { $0.agencyCode = GatewayHarness.agencyCode })
                let entries = try await disclosures.listLogEntries(
                    .with {
                        $0.agencyCode = GatewayHarness.agencyCode
                        $0.start = 0
                        $0.count = 1000
                    })
                let consistency = try await disclosures.getConsistencyProof(
                    .with {
                        $0.agencyCode = GatewayHarness.agencyCode
                        $0.oldSize = Int64(first.size)
                        $0.newSize = checkpoint.treeSize
                    })
                #expect(first.size == 4 && checkpoint.treeSize == 5, "two credentials, the power list and the decision; then the withdrawal")
                try DisclosureVerification.verifyLog(
                    entries: try entries.entries.map(DisclosureEntry.init), checkpoint: try Checkpoint(note: checkpoint.checkpoint, verifier: key),
                    saved: try Checkpoint(note: first.note, verifier: key), consistency: consistency.proof)
            }
        }
    }

    /// With review before release, entries wait as drafts; a compliance officer sees them
    /// with their due standing and releases them.
    @Test func draftsWaitForACompliancOfficer() async throws {
        try await GatewayHarness.with { harness in
            let agency = try #require(try await harness.store.agency(code: GatewayHarness.agencyCode))
            let owner = try await harness.database.ownerConnection()
            try await owner.transaction(TransactionOptions(agencyID: agency.id)) { c in
                try await c.query(
                    "INSERT INTO agency_settings (agency_id, key, value) VALUES ($1, 'disclosure.review_before_release', 'true')", [agency.id])
            }
            owner.close()
            try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                try await DisclosurePublishingWork(store: harness.store).run(agency: agency, at: Moment(instant: harness.clock.now))
                let password = try await harness.createUser(client, adminToken: corps.adminToken, username: "qian", roles: [.complianceOfficer])
                let compliance = bearer(try await harness.login(client, username: "qian", password: password))
                let disclosures = Fazhi_V1_DisclosureService.Client(wrapping: client)
                #expect(
                    try await disclosures.listDisclosures(.with { $0.agencyCode = GatewayHarness.agencyCode }).entries.isEmpty,
                    "drafts are not public")
                let due = try await disclosures.listDueDisclosures(.init(), metadata: compliance)
                let draft = try #require(due.entries.first)
                #expect(
                    due.entries.count == 1 && draft.entry.state == "draft" && draft.standing == "on_track"
                        && draft.entry.kind == "enforcement_personnel")
                let denied = await #expect(throws: RPCError.self) {
                    _ = try await disclosures.releaseDisclosure(.with { $0.id = draft.entry.id }, metadata: bearer(corps.liToken))
                }
                #expect(denied?.code == .permissionDenied)
                let released = try await disclosures.releaseDisclosure(.with { $0.id = draft.entry.id }, metadata: compliance)
                #expect(released.state == "published" && released.late == false && !released.leaf.isEmpty)
                let twice = await #expect(throws: RPCError.self) {
                    _ = try await disclosures.releaseDisclosure(.with { $0.id = draft.entry.id }, metadata: compliance)
                }
                #expect(twice?.code == .failedPrecondition)
                #expect(
                    try await disclosures.listDisclosures(.with { $0.agencyCode = GatewayHarness.agencyCode }).entries.map(\.id) == [draft.entry.id])
            }
        }
    }
}
