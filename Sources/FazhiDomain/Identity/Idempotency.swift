import Foundation

/// What a mutating call's `idempotency-key` found: nothing yet (the call may run), the
/// same call still running, its first outcome, or the key taken by a different request.
public enum IdempotencyClaim: Sendable, Equatable {
    case claimed
    case running
    case done(status: String, payload: Data)
    case mismatch

    /// Keys are 1 to 128 printable ASCII characters.
    public static func validate(_ key: String) throws {
        guard (1...128).contains(key.utf8.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace && ($0.asciiValue ?? 0) >= 0x21 }) else {
            throw DomainError.invalidArgument(
                field: "idempotency-key",
                zh: "幂等键须为 1–128 个可见 ASCII 字符", en: "an idempotency-key has 1 to 128 printable ASCII characters")
        }
    }

    public static let reused = DomainError(
        .idempotencyKeyReused,
        zh: "该幂等键已用于另一个请求", en: "this idempotency-key was used for a different request")
    public static let inUse = DomainError(
        .idempotencyKeyInUse,
        zh: "使用该幂等键的请求仍在处理中，请稍后重试", en: "a call with this idempotency-key is still running; retry later")
}

/// The idempotency key of the call being carried out. The gateway sets it around the call's
/// handler; every read-write transaction of the store marks the key as acted inside that
/// same transaction. A key is then given back after a failure only if nothing the call did
/// committed, even when the failure hid whether the commit happened (a connection lost
/// while COMMIT was answered).
public struct IdempotentAct: Sendable {
    public let userID: UUID
    public let key: String

    public init(userID: UUID, key: String) {
        self.userID = userID
        self.key = key
    }

    @TaskLocal public static var current: IdempotentAct?
}
