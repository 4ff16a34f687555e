import ArgumentParser
import FazhiPostgres
import Foundation

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "应用数据库迁移 / apply the SQL migrations in sql/ with the owner's URL.",
        discussion: """
            The owner's URL comes from --database-url, FAZHI_OWNER_DATABASE_URL, or the embedded \
            cluster of this checkout. sql/ is found through --sql-dir, FAZHI_SQL_DIR, \
            <executable>/../share/fazhi/sql, or the checkout. FAZHI_APP_PASSWORD, when set, \
            becomes the password of the application role fazhi_app.
            """
    )

    @Flag(name: .long, help: "List applied and pending migrations; apply nothing.")
    var status = false

    @Option(name: .long, help: "The owner's postgresql:// URL or conninfo.")
    var databaseURL: String?

    @Option(name: .long, help: "The directory of numbered .sql migrations.")
    var sqlDir: String?

    func run() async throws {
        let directory = try MigrationSource.locate(explicit: sqlDir)
        let migrator = try Self.migrator(sqlDirectory: directory)
        let connection = try await PostgresConnection.connect(try ownerConfiguration(explicit: databaseURL))
        do {
            try await run(migrator, on: connection, sqlDirectory: directory)
            connection.close()
        } catch {
            connection.close()
            throw error
        }
    }

    static func migrator(sqlDirectory directory: URL) throws -> Migrator {
        Migrator(
            migrations: try MigrationSource.load(from: directory),
            applicationRolePassword: ProcessInfo.processInfo.environment["FAZHI_APP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 })
    }

    private func run(_ migrator: Migrator, on connection: PostgresConnection, sqlDirectory directory: URL) async throws {
        if status {
            let entries = try await migrator.status(on: connection)
            for entry in entries {
                switch entry.status {
                case .applied(let at): print("applied  \(entry.name)  \(at.formatted(.iso8601))")
                case .pending: print("pending  \(entry.name)")
                case .changed(let checksum): print("CHANGED  \(entry.name)  (applied sha256 \(checksum))")
                case .missingFile: print("MISSING  \(entry.name)  (applied, but no such file in \(directory.path))")
                }
            }
            func count(_ matches: (Migrator.Status) -> Bool) -> Int { entries.filter { matches($0.status) }.count }
            let applied = count { if case .applied = $0 { true } else { false } }
            let pending = count { $0 == .pending }
            let changed = count { if case .changed = $0 { true } else { false } }
            let missing = count { if case .missingFile = $0 { true } else { false } }
            print("\(applied) 已应用 / applied, \(pending) 待应用 / pending, \(changed) 已修改 / changed, \(missing) 缺文件 / missing")
            if changed > 0 { throw ExitCode(1) }
            return
        }
        let applied = try await migrator.migrate(on: connection)
        for migration in applied { print("applied  \(migration.name)") }
        print(applied.isEmpty ? "数据库已是最新 / the database is up to date" : "已应用 \(applied.count) 个迁移 / applied \(applied.count) migrations")
    }
}
