import CLibPQ
import Foundation

/// libpq's failures as typed `PostgresError`s.
extension PostgresConnection {
    /// The typed error a failed result describes. (A 57014 that this client caused is
    /// turned into `queryCanceled` by `whileCancellable`.)
    static func error(from result: OpaquePointer, connection: OpaquePointer?) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let message = field("M") ?? String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let state = field("C") else {
            // No SQLSTATE: libpq itself failed, almost always because the connection broke.
            let broken = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
            return PostgresError(code: broken ? .connectionLost : .protocolViolation, message: message)
        }
        var code = PostgresError.code(forSQLState: state, message: message)
        if let connection, PQstatus(connection) != CONNECTION_OK { code = .connectionLost }
        var error = PostgresError(code: code, message: message, sqlState: state)
        error.detail = field("D")
        error.hint = field("H")
        error.schema = field("s")
        error.table = field("t")
        error.column = field("c")
        error.constraint = field("n")
        return error
    }

    /// The error for a libpq call that failed on the claimed `connection`.
    func connectionError(_ connection: OpaquePointer) -> PostgresError {
        let code: PostgresError.Code = PQstatus(connection) == CONNECTION_OK ? .protocolViolation : .connectionLost
        return PostgresError(code: code, message: Self.lastError(connection))
    }

    static let closedError = PostgresError(code: .connectionLost, message: "the connection is closed")

    static func lastError(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
