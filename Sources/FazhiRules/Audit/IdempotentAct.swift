import Foundation

/// The idempotency key a call is carried out under. The gateway's idempotency layer gives
/// it to the call's `CallAudit` before the handler runs; every read-write transaction made
/// for that call (`TransactionAccess.write(for:)`) marks the key as acted inside that same
/// transaction. A key is then given back after a failure only if nothing the call did
/// committed, even when the failure hid whether the commit happened (a connection lost
/// while COMMIT was answered).
public struct IdempotentAct: Sendable, Equatable {
    public let userID: UUID
    public let key: String
    /// The token of this call's claim: a transaction acts only while the claim is its own.
    public let claim: UUID

    public init(userID: UUID, key: String, claim: UUID) {
        self.userID = userID
        self.key = key
        self.claim = claim
    }
}
