import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Logging
import Testing

@testable import FazhiGateway

/// One renewer keeps the leases of the claims in flight alive, and stops when none is left.
@Suite(.timeLimit(.minutes(2))) struct LeaseRenewerTests {
    @Test func heldClaimsAreRenewedAndTheRenewerStopsWhenNoneIsLeft() async throws {
        try await GatewayHarness.with { harness in
            let agency = try await harness.agencyID()
            let owner = try await harness.database.ownerConnection()
            defer { owner.close() }
            let userID = try await owner.transaction(TransactionOptions(agencyID: agency)) {
                try await $0.scalar(
                    "SELECT id FROM users WHERE agency_id = $1 AND username = $2", [agency, GatewayHarness.adminUsername], as: UUID.self)
            }
            let now = Date()
            var tokens: [UUID] = []
            for key in ["held-1", "held-2"] {
                let token = UUID()
                #expect(
                    try await harness.store.claimIdempotencyKey(
                        agency: agency, userID: userID, key: key, method: "m", fingerprint: Data(repeating: 1, count: 32),
                        claim: token, now: now) == .claimed)
                tokens.append(token)
            }
            func leases() async throws -> [Date] {
                try await owner.transaction(TransactionOptions(agencyID: agency)) {
                    try await $0.query("SELECT lease_until FROM idempotency_keys WHERE agency_id = $1 AND key LIKE 'held-%' ORDER BY key", [agency])
                        .map { try $0.decode(Date.self, at: 0) }
                }
            }
            let before = try await leases()
            let renewer = LeaseRenewer(store: harness.store, clock: { Date() }, logger: Logger(label: "test"))
            for (token, key) in zip(tokens, ["held-1", "held-2"]) {
                renewer.hold(.init(agency: agency, agencyCode: GatewayHarness.agencyCode, userID: userID, key: key, token: token))
            }
            // Renewed once the interval has passed, however slow the machine: poll, no margin.
            var renewed = false
            for _ in 0..<300 where !renewed {
                try await Task.sleep(for: .milliseconds(100))
                renewed = zip(try await leases(), before).allSatisfy { $0 > $1 }
            }
            #expect(renewed, "both leases moved forward")
            for token in tokens { renewer.release(token) }
            #expect(renewer.held == 0)
            var stopped = false
            for _ in 0..<300 where !stopped {
                try await Task.sleep(for: .milliseconds(100))
                stopped = !renewer.isRunning
            }
            #expect(stopped, "with nothing held the renewing task ends")
        }
    }
}
