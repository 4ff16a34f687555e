/// A failure the caller can understand and act on: a stable reason for programs, and a
/// message in Chinese and English for people. The gateway turns it into a gRPC status;
/// nothing internal (SQL, stack, paths) ever goes into one.
public struct DomainError: Error, Sendable, Equatable, Codable {
    /// Stable machine-readable reasons; the names of `fazhi.v1.ErrorReason`.
    public enum Reason: String, Sendable, Codable {
        case authenticationRequired = "AUTHENTICATION_REQUIRED"
        case invalidCredentials = "INVALID_CREDENTIALS"
        case accountLocked = "ACCOUNT_LOCKED"
        case sessionExpired = "SESSION_EXPIRED"
        case permissionDenied = "PERMISSION_DENIED"
        case invalidArgument = "INVALID_ARGUMENT"
        case notFound = "NOT_FOUND"
        case alreadyExists = "ALREADY_EXISTS"
        case passwordPolicy = "PASSWORD_POLICY"
        case idempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED"
        case idempotencyKeyInUse = "IDEMPOTENCY_KEY_IN_USE"
        case idempotencyOutcomeLost = "IDEMPOTENCY_OUTCOME_LOST"
        case resourceExhausted = "RESOURCE_EXHAUSTED"
        case failedPrecondition = "FAILED_PRECONDITION"
        case credentialNotInForce = "CREDENTIAL_NOT_IN_FORCE"
    }

    public var reason: Reason
    public var messageZH: String
    public var messageEN: String
    /// Extra machine-readable facts (a field name, a retry time); never a secret.
    public var metadata: [String: String]

    public init(_ reason: Reason, zh: String, en: String, metadata: [String: String] = [:]) {
        self.reason = reason
        self.messageZH = zh
        self.messageEN = en
        self.metadata = metadata
    }

    public static func invalidArgument(field: String, zh: String, en: String) -> DomainError {
        DomainError(.invalidArgument, zh: zh, en: en, metadata: ["field": field])
    }

    public static func notFound(_ what: String, zh: String, en: String) -> DomainError {
        DomainError(.notFound, zh: zh, en: en, metadata: ["resource": what])
    }
}

extension DomainError: CustomStringConvertible {
    public var description: String { "\(messageZH) / \(messageEN) [\(reason.rawValue)]" }
}
