import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import Logging
import Synchronization

/// Renews the leases of the idempotency claims in flight, so a retry can tell a live call
/// from a dead one: one task for all of them, every `IdempotencyClaim.renewal`, instead of
/// a task, a timer and a cancellation for every keyed call. The task runs while there are
/// claims and ends when there are none.
final class LeaseRenewer: Sendable {
    struct Claim: Sendable {
        var agency: UUID
        var agencyCode: String
        var userID: UUID
        var key: String
        var token: UUID
    }

    private struct State {
        var claims: [UUID: Claim] = [:]
        var running = false
    }

    private let store: any TenantStore
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let state = Mutex(State())

    init(store: any TenantStore, clock: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// Keeps `claim`'s lease alive until `release`.
    func hold(_ claim: Claim) {
        let start = state.withLock { state in
            state.claims[claim.token] = claim
            defer { state.running = true }
            return !state.running
        }
        if start { Task { await renewWhileHeld() } }
    }

    func release(_ token: UUID) {
        _ = state.withLock { $0.claims.removeValue(forKey: token) }
    }

    var held: Int { state.withLock { $0.claims.count } }
    var isRunning: Bool { state.withLock { $0.running } }

    private func renewWhileHeld() async {
        while true {
            try? await Task.sleep(for: IdempotencyClaim.renewal)
            let claims: [Claim]? = state.withLock { state in
                if state.claims.isEmpty {
                    state.running = false
                    return nil
                }
                return Array(state.claims.values)
            }
            guard let claims else { return }
            let until = clock().addingTimeInterval(TimeInterval(IdempotencyClaim.lease.components.seconds))
            for claim in claims where state.withLock({ $0.claims[claim.token] != nil }) {
                do {
                    try await store.renewIdempotencyLease(
                        agency: claim.agency, userID: claim.userID, key: claim.key, claim: claim.token, until: until)
                } catch {
                    logger.warning("idempotency lease not renewed", metadata: ["agency": "\(claim.agencyCode)", "error": "\(error)"])
                }
            }
        }
    }
}
