import Foundation
import Synchronization

/// The audit of the call in progress. The gateway opens one per call; a use case that
/// changes something writes the call's row inside its own transaction (so it commits with
/// the change) and marks it written; otherwise the gateway writes it when the call ends.
public final class CallAudit: Sendable {
    public let method: String
    public let peer: String
    public let requestID: String
    private let elapsedMicroseconds: @Sendable () -> Int64
    private let state = Mutex(State())

    private struct State {
        var caller: Caller?
        var agency: Agency?
        /// The agency code a call named, whether or not it exists.
        var claimedAgencyCode: String?
        var username: String?
        var targetIDs: [String] = []
        var written = false
    }

    public init(method: String, peer: String, requestID: String, elapsedMicroseconds: @escaping @Sendable () -> Int64) {
        self.method = method
        self.peer = peer
        self.requestID = requestID
        self.elapsedMicroseconds = elapsedMicroseconds
    }

    /// The proven caller, once known.
    public var caller: Caller? { state.withLock { $0.caller } }
    public func identify(_ caller: Caller) { state.withLock { $0.caller = caller; $0.agency = caller.agency } }
    /// The agency (and name) a call claims before anyone is proven, e.g. a sign-in.
    public func claim(agency: Agency?, username: String?) {
        state.withLock {
            if let agency { $0.agency = agency }
            $0.username = username
        }
    }

    /// An agency code a call names before it is known to exist (kept, bounded, for the
    /// platform log).
    public func claim(agencyCode: String) { state.withLock { $0.claimedAgencyCode = String(agencyCode.prefix(64)) } }
    public var agency: Agency? { state.withLock { $0.agency } }
    public func target(_ ids: String...) { state.withLock { $0.targetIDs.append(contentsOf: ids) } }
    public var isWritten: Bool { state.withLock { $0.written } }
    public func markWritten() { state.withLock { $0.written = true } }

    /// The row for this call, ended with `status` and `reason` at `now`.
    public func record(status: String, reason: String?, now: Date) -> AuditRecord {
        let elapsed = elapsedMicroseconds()
        return state.withLock { s in
            AuditRecord(
                at: now, agencyID: s.agency?.id, agencyCode: s.agency?.code ?? s.claimedAgencyCode,
                userID: s.caller?.userID, username: s.caller?.username ?? s.username,
                roles: (s.caller?.roles).map { $0.sorted() } ?? [],
                method: method, targetIDs: s.targetIDs, status: status, reason: reason,
                peer: peer, requestID: requestID, durationMicroseconds: max(0, elapsed))
        }
    }
}
