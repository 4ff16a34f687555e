import Foundation

/// The role the server logs in as. Migrations grant it exactly what the server needs;
/// it owns nothing, bypasses no row-level security, and cannot change append-only tables.
public enum ApplicationRole {
    public static let name = "fazhi_app"

    /// Creates `role` if it is missing and corrects its attributes if they drifted; sets
    /// its password when one is given. Roles are cluster-wide while advisory locks are per
    /// database, so several databases migrating at once can collide here: a collision
    /// (duplicate role, concurrently updated catalog row) is retried, never fatal.
    public static func ensure(
        _ role: String = name, password: String? = nil, on connection: PostgresConnection
    ) async throws {
        guard role.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw PostgresError(code: .invalidParameter, message: "role name \"\(role)\" must match [a-z_][a-z0-9_]*")
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await connection.transaction { connection in
                    try await ensureOnce(role, password: password, on: connection)
                }
                return
            } catch let error as PostgresError where attempt < 8 && isCollision(error) {
                try await Task.sleep(for: .milliseconds(20 * attempt))
            }
        }
    }

    private static func ensureOnce(_ role: String, password: String?, on connection: PostgresConnection) async throws {
        let quoted = try connection.quoteIdentifier(role)
        let rows = try await connection.query(
            "SELECT rolsuper, rolbypassrls, rolcanlogin, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1",
            [role])
        if let row = rows.first {
            let superuser: Bool = try row.decode(at: 0)
            let bypass: Bool = try row.decode(at: 1)
            let login: Bool = try row.decode(at: 2)
            let createRole: Bool = try row.decode(at: 3)
            let createDB: Bool = try row.decode(at: 4)
            if superuser || bypass || !login || createRole || createDB {
                try await connection.simpleQuery(
                    "ALTER ROLE \(quoted) LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION")
            }
        } else {
            try await connection.simpleQuery(
                "CREATE ROLE \(quoted) LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION INHERIT")
        }
        if let password {
            let verifier = try connection.encryptPassword(password, forRole: role)
            try await connection.simpleQuery("ALTER ROLE \(quoted) PASSWORD \(try connection.quoteLiteral(verifier))")
        }
    }

    private static func isCollision(_ error: PostgresError) -> Bool {
        switch error.sqlState {
        case "23505", "42710", "40001", "40P01": return true
        case "XX000": return error.message.contains("concurrently")
        default: return false
        }
    }
}
