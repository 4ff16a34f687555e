import FazhiRules
import FazhiUseCases

/// Every failure the client reports, typed so callers can react to the ones that matter
/// (a unique violation names its constraint; a serialization failure can be retried).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case uniqueViolation
        case foreignKeyViolation
        case checkViolation
        case notNullViolation
        case exclusionViolation
        case serializationFailure
        case deadlockDetected
        /// The query was cancelled: by this client (task cancellation) or by an operator.
        case queryCanceled
        case statementTimeout
        case lockTimeout
        case insufficientPrivilege
        /// A trigger or function raised an error on purpose (P0001).
        case raised
        /// The connection to the server broke; the statement's fate is unknown.
        case connectionLost
        /// The server could not be reached or refused the login.
        case connectionFailed
        /// Any other SQLSTATE, kept verbatim.
        case server(sqlState: String)
        /// Misuse detected before anything reached the server.
        case invalidParameter
        case decoding
        case protocolViolation
    }

    public let code: Code
    public let message: String
    public var sqlState: String?
    public var detail: String?
    public var hint: String?
    public var schema: String?
    public var table: String?
    public var column: String?
    public var constraint: String?

    public init(code: Code, message: String, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
    }

    /// Maps a SQLSTATE to the typed code. 57014 covers both cancellation and statement
    /// timeouts; the caller knows when it cancelled, so it decides between them.
    static func code(forSQLState state: String, message: String) -> Code {
        switch state {
        case "23505": return .uniqueViolation
        case "23503": return .foreignKeyViolation
        case "23514": return .checkViolation
        case "23502": return .notNullViolation
        case "23P01": return .exclusionViolation
        case "40001": return .serializationFailure
        case "40P01": return .deadlockDetected
        case "55P03": return .lockTimeout
        case "42501": return .insufficientPrivilege
        case "P0001": return .raised
        case "57014": return message.contains("statement timeout") ? .statementTimeout : .queryCanceled
        case "57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004": return .connectionLost
        default: return .server(sqlState: state)
        }
    }

    /// Whether running the whole transaction again may succeed.
    public var isRetryableTransactionFailure: Bool {
        code == .serializationFailure || code == .deadlockDetected
    }

    public var description: String {
        var text = "PostgreSQL \(code)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let constraint { text += " (constraint \(constraint))" }
        if let table { text += " (table \(table))" }
        if let column { text += " (column \(column))" }
        if let detail { text += " — \(detail)" }
        return text
    }
}

extension PostgresError: OutageError {
    /// The server could not be reached, the connection broke, or no connection came free:
    /// the database, not the call, is at fault.
    public var isOutage: Bool { code == .connectionLost || code == .connectionFailed }
}
