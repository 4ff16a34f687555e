import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import Testing

/// An agency's disclosure-log key rotated by its admin: checkpoints signed before keep
/// verifying under the retired key, which stays published; checkpoints after carry the
/// new key's signature; the whole log still extends a checkpoint saved before.
@Suite(.timeLimit(.minutes(3))) struct LogKeyRotationTests {
    @Test func aRotatedKeyKeepsOldCheckpointsVerifyingAndSignsTheNewOnes() async throws {
        try await GatewayHarness.with { harness in
            let agency = try #require(try await harness.store.agency(code: GatewayHarness.agencyCode))
            let log = DisclosureLogWork(store: harness.store, sealer: GatewayHarness.secrets.signingKeys)
            @Sendable func sequence() async throws -> StoredCheckpoint {
                try await DisclosurePublishingWork(store: harness.store).run(agency: agency, at: Moment(instant: harness.clock.now))
                return try #require(try await log.sequence(agency: agency, at: harness.clock.now))
            }
            let (bench, saved, before) = try await harness.withClient { client in
                let bench = try await CaseServiceTests.bench(harness, client)
                let saved = try await sequence()
                let before = try await Fazhi_V1_DisclosureService.Client(wrapping: client).getLogKey(
                    .with { $0.agencyCode = GatewayHarness.agencyCode })
                return (bench, saved, before)
            }
            #expect(before.retiredVerifierKeys.isEmpty)
            let oldKey = try SignedNote.VerifierKey(before.verifierKey)
            #expect(try Checkpoint(note: saved.note, verifier: oldKey).size == saved.size)

            try await harness.withClient { client in
                let disclosures = Fazhi_V1_DisclosureService.Client(wrapping: client)
                let officer = await #expect(throws: RPCError.self) {
                    _ = try await disclosures.rotateLogKey(.init(), metadata: bearer(bench.corps.liToken))
                }
                #expect(officer?.code == .permissionDenied, "only the agency's admin rotates")

                let rotated = try await disclosures.rotateLogKey(.init(), metadata: bearer(bench.corps.adminToken))
                let newKey = try SignedNote.VerifierKey(rotated.verifierKey)
                #expect(newKey != oldKey && newKey.name == oldKey.name)
                #expect(rotated.retiredVerifierKeys == [oldKey.description])
                let published = try await disclosures.getLogKey(.with { $0.agencyCode = GatewayHarness.agencyCode })
                #expect(published.verifierKey == newKey.description && published.retiredVerifierKeys == [oldKey.description])
                // The latest checkpoint is still the old key's: the portal's in-browser
                // check must pick the retired key that signed it.
                try await harness.withPortal { port in
                    let list = try await PortalTests.chromium("https://127.0.0.1:\(port)/\(GatewayHarness.agencyCode)/disclosures")
                    let id = try #require(list.firstMatch(of: /disclosures\/([0-9a-f-]{36})/)?.1).description
                    let page = try await PortalTests.chromium("https://127.0.0.1:\(port)/\(GatewayHarness.agencyCode)/disclosures/\(id)")
                    #expect(page.contains("data-result=\"verified\""), "checked under the retired key: \(page.suffix(600))")
                }
                let audit = try await harness.auditRows()
                #expect(audit.contains { $0.method.hasSuffix("RotateLogKey") && $0.status == "OK" && $0.username == GatewayHarness.adminUsername })

                // A new entry (a suspension is public), sequenced under the new key.
                _ = try await Fazhi_V1_CredentialService.Client(wrapping: client).suspendCredential(
                    .with {
                        $0.credentialID = bench.wangCredential.credentialID
                        $0.reason = "涉嫌违纪，暂扣"
                    }, metadata: bearer(bench.corps.credentialAdminToken))
                let after = try await sequence()
                #expect(after.size > saved.size)
                #expect(throws: SignedNote.NoteError.self) { try Checkpoint(note: after.note, verifier: oldKey) }
                #expect(try Checkpoint(note: after.note, verifier: newKey).size == after.size)
                let both = [newKey, oldKey]
                #expect(try Checkpoint(note: saved.note, verifiers: both).size == saved.size, "the old checkpoint verifies among the published keys")

                // The whole log, as `fazhi disclosure verify --checkpoint` checks it.
                let entries = try await log.entries(agency: agency, 0..<after.size)
                let proof = try await log.consistency(agency: agency, from: saved.size, to: after.size)
                try DisclosureVerification.verifyLog(
                    entries: entries, checkpoint: try Checkpoint(note: after.note, verifiers: both),
                    saved: try Checkpoint(note: saved.note, verifiers: both), consistency: proof)
                // One entry proved in the old checkpoint, one in the new.
                for (entry, size) in [(entries[0], saved.size), (entries[after.size - 1], after.size)] {
                    let answer = try await disclosures.getDisclosure(
                        .with {
                            $0.agencyCode = GatewayHarness.agencyCode
                            $0.id = entry.id.uuidString
                            $0.treeSize = Int64(size)
                        })
                    try DisclosureVerification.verifyEntry(
                        try DisclosureEntry(answer.entry), proof: answer.inclusionProof,
                        checkpointNote: answer.checkpoint, verifiers: both)
                }
            }

            // The portal publishes both keys, and its in-browser check picks the signer.
            try await harness.withPortal { port in
                let base = "https://127.0.0.1:\(port)/\(GatewayHarness.agencyCode)"
                let keys = try await PortalTests.chromium(base + "/log/keys")
                let newKey = try await log.verifierKeys(agency: agency)[0]
                #expect(keys.contains(newKey.description) && keys.contains(oldKey.description))
                let logPage = try await PortalTests.chromium(base + "/log")
                #expect(logPage.contains("已停用的密钥") && logPage.contains(oldKey.description))
                let list = try await PortalTests.chromium(base + "/disclosures")
                let id = try #require(list.firstMatch(of: /disclosures\/([0-9a-f-]{36})/)?.1).description
                let page = try await PortalTests.chromium(base + "/disclosures/\(id)")
                #expect(page.contains("data-result=\"verified\""), "checked under the new key: \(page.suffix(600))")
            }
        }
    }

    /// Rotating twice keeps every key: each checkpoint verifies under the key that signed it.
    @Test func everyRetiredKeyStaysPublished() async throws {
        try await GatewayHarness.with { harness in
            let agency = try #require(try await harness.store.agency(code: GatewayHarness.agencyCode))
            let log = DisclosureLogWork(store: harness.store, sealer: GatewayHarness.secrets.signingKeys)
            try await harness.withClient { client in
                let disclosures = Fazhi_V1_DisclosureService.Client(wrapping: client)
                let admin = bearer(try await harness.login(client))
                let first = try await log.verifierKeys(agency: agency)
                let second = try await disclosures.rotateLogKey(.init(), metadata: admin)
                let third = try await disclosures.rotateLogKey(.init(), metadata: admin)
                #expect(first.count == 1)
                #expect(third.retiredVerifierKeys == [second.verifierKey, first[0].description], "newest retired first")
                #expect(Set([first[0].description, second.verifierKey, third.verifierKey]).count == 3)
                let keys = try await log.verifierKeys(agency: agency)
                #expect(keys.map(\.description) == [third.verifierKey, second.verifierKey, first[0].description])
            }
        }
    }
}
