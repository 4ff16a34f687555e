import Foundation

/// Applies `sql/` in order, each file in its own transaction, recording its SHA-256.
///
/// Runs with the owner's URL. A session-level advisory lock makes concurrent migrators
/// of one database take turns; the second finds nothing left to do. A file that changed
/// after it was applied stops the run before anything else is applied.
public struct Migrator: Sendable {
    public enum Status: Sendable, Equatable {
        case applied(at: Date)
        case pending
        /// Applied, but the file on disk no longer matches what was applied.
        case changed(appliedChecksum: String)
        /// Applied, but no file with its version is on disk.
        case missingFile(name: String)
    }

    public struct Entry: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let status: Status
    }

    public struct ChangedMigrationError: Error, CustomStringConvertible {
        public let name: String
        public let appliedChecksum: String
        public let fileChecksum: String
        public var description: String {
            "已应用的迁移被修改 / the applied migration \(name) has changed on disk (applied sha256 \(appliedChecksum), file sha256 \(fileChecksum)); write a new migration instead of editing an applied one"
        }
    }

    /// 'fazhi' in ASCII: the advisory lock key all migrators of a database share.
    static let lockKey: Int64 = 0x66_617A_6869

    public let migrations: [Migration]
    public let applicationRolePassword: String?

    public init(migrations: [Migration], applicationRolePassword: String? = nil) {
        self.migrations = migrations
        self.applicationRolePassword = applicationRolePassword
    }

    public func status(on connection: PostgresConnection) async throws -> [Entry] {
        let applied = try await appliedMigrations(on: connection)
        var entries: [Entry] = []
        for migration in migrations {
            if let record = applied[migration.version] {
                let status: Status =
                    record.checksum == migration.checksum
                    ? .applied(at: record.at) : .changed(appliedChecksum: record.checksum)
                entries.append(Entry(version: migration.version, name: migration.name, status: status))
            } else {
                entries.append(Entry(version: migration.version, name: migration.name, status: .pending))
            }
        }
        for (version, record) in applied where !migrations.contains(where: { $0.version == version }) {
            entries.append(Entry(version: version, name: record.name, status: .missingFile(name: record.name)))
        }
        return entries.sorted { $0.version < $1.version }
    }

    /// Applies what is pending; returns the migrations applied by this call.
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> [Migration] {
        try await connection.query("SELECT pg_advisory_lock($1)", [Self.lockKey])
        do {
            let applied = try await run(on: connection)
            try await connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey])
            return applied
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey])
            throw error
        }
    }

    private func run(on connection: PostgresConnection) async throws -> [Migration] {
        try await connection.simpleQuery(
            """
            CREATE TABLE IF NOT EXISTS fazhi_schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                applied_by text NOT NULL DEFAULT current_user
            )
            """)
        let applied = try await appliedMigrations(on: connection)
        for migration in migrations {
            if let record = applied[migration.version], record.checksum != migration.checksum {
                throw ChangedMigrationError(name: migration.name, appliedChecksum: record.checksum, fileChecksum: migration.checksum)
            }
        }
        try await ApplicationRole.ensure(password: applicationRolePassword, on: connection)
        var done: [Migration] = []
        for migration in migrations where applied[migration.version] == nil {
            do {
                try await connection.transaction { connection in
                    try await connection.simpleQuery(migration.sql)
                    try await connection.query(
                        "INSERT INTO fazhi_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [migration.version, migration.name, migration.checksum])
                }
            } catch var error as PostgresError {
                error.detail = "in migration \(migration.name)" + (error.detail.map { ": " + $0 } ?? "")
                throw error
            }
            done.append(migration)
        }
        return done
    }

    private struct Record {
        let name: String
        let checksum: String
        let at: Date
    }

    private func appliedMigrations(on connection: PostgresConnection) async throws -> [Int: Record] {
        let exists: Bool = try await connection.query(
            "SELECT to_regclass('fazhi_schema_migrations') IS NOT NULL")[0].decode(at: 0)
        guard exists else { return [:] }
        var records: [Int: Record] = [:]
        for row in try await connection.query("SELECT version, name, checksum, applied_at FROM fazhi_schema_migrations") {
            records[try row.decode(at: 0)] = Record(name: try row.decode(at: 1), checksum: try row.decode(at: 2), at: try row.decode(at: 3))
        }
        return records
    }
}
