import CLibPQ
import Foundation

/// What libpq quotes and hashes for the few statements that cannot take parameters.
extension PostgresConnection {
    /// Quotes an identifier for the few statements that cannot take parameters (LISTEN, DDL).
    public func quoteIdentifier(_ identifier: String) throws -> String {
        try escape(identifier, with: PQescapeIdentifier)
    }

    /// Quotes a literal for the few statements that cannot take parameters (`ALTER ROLE … PASSWORD`).
    public func quoteLiteral(_ literal: String) throws -> String {
        try escape(literal, with: PQescapeLiteral)
    }

    private func escape(
        _ text: String, with function: (OpaquePointer?, UnsafePointer<CChar>?, Int) -> UnsafeMutablePointer<CChar>?
    ) throws -> String {
        try withLibPQ { connection in
            guard let quoted = function(connection, text, text.utf8.count) else {
                throw PostgresError(code: .invalidParameter, message: Self.lastError(connection))
            }
            defer { PQfreemem(quoted) }
            return String(cString: quoted)
        }
    }

    /// A password hashed by libpq for `ALTER ROLE … PASSWORD`, so the server never sees it
    /// in clear. Naming the algorithm keeps libpq from asking the server.
    public func encryptPassword(_ password: String, forRole role: String) throws -> String {
        try withLibPQ { connection in
            guard let encrypted = PQencryptPasswordConn(connection, password, role, "scram-sha-256") else {
                throw PostgresError(code: .invalidParameter, message: Self.lastError(connection))
            }
            defer { PQfreemem(encrypted) }
            return String(cString: encrypted)
        }
    }
}
