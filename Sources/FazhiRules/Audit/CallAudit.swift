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
        /// A row was made for a use case to append (`record`), not yet known committed.
        var recorded = false
        var written = false
        var ended: AuditRecord?
        var idempotentAct: IdempotentAct?
    }

    public init(method: String, peer: String, requestID: String, elapsedMicroseconds: @escaping @Sendable () -> Int64) {
        self.method = method
        self.peer = peer
        self.requestID = requestID
        self.elapsedMicroseconds = elapsedMicroseconds
    }

    /// The proven caller, once known.
    public var caller: Caller? { state.withLock { $0.caller } }
    public func identify(_ caller: Caller) {
        state.withLock {
            $0.caller = caller
            $0.agency = caller.agency
        }
    }
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
    /// Called by a use case after the transaction that appended the call's row committed.
    /// A transaction that returned early without a row (nothing to change) leaves the call
    /// unwritten, so the gateway still writes its row: every call has exactly one.
    public func markWritten() { state.withLock { $0.written = $0.recorded } }

    /// The idempotency key the call runs under, if it was sent with one and claimed it.
    public var idempotentAct: IdempotentAct? { state.withLock { $0.idempotentAct } }
    public func act(under act: IdempotentAct) { state.withLock { $0.idempotentAct = act } }

    /// The row the call ended with, once it has (for its log line and metrics).
    public var ended: AuditRecord? { state.withLock { $0.ended } }
    public func end(with record: AuditRecord) { state.withLock { $0.ended = record } }

    /// The row for this call, ended with `status` and `reason` at `now`.
    public func record(status: String, reason: String?, now: Date) -> AuditRecord {
        let elapsed = elapsedMicroseconds()
        return state.withLock { s in
            s.recorded = true
            return AuditRecord(
                at: now, agencyID: s.agency?.id, agencyCode: (s.agency?.code ?? s.claimedAgencyCode).map(Self.storable),
                userID: s.caller?.userID, username: (s.caller?.username ?? s.username).map(Self.storable),
                roles: (s.caller?.roles).map { $0.sorted() } ?? [],
                method: method, targetIDs: s.targetIDs.map(Self.storable), status: status, reason: reason,
                peer: peer, requestID: requestID, durationMicroseconds: max(0, elapsed))
        }
    }

    /// What a caller named, as the audit log can keep it: the gateway refuses text with NUL
    /// before any use case runs, but a row must be written even for a call refused earlier
    /// (PostgreSQL cannot store NUL), so it is replaced here too, and the text bounded.
    static func storable(_ text: String) -> String {
        let bounded = text.count > 200 ? String(text.prefix(200)) : text
        return bounded.utf8.contains(0) ? bounded.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : bounded
    }
}
