import FazhiPostgres
import FazhiTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct MigrationTests {
    let migrations: [Migration]

    init() throws { migrations = try MigrationSource.load(from: TestCluster.sqlDirectory) }

    @Test func appliesInOrderAndRecordsChecksums() async throws {
        let db = try await TestDatabase.createEmpty()
        let c = try await db.ownerConnection()
        let migrator = Migrator(migrations: migrations)
        #expect(try await migrator.status(on: c).allSatisfy { $0.status == .pending })
        let applied = try await migrator.migrate(on: c)
        #expect(applied.map(\.version) == migrations.map(\.version))
        #expect(applied.map(\.version) == applied.map(\.version).sorted())
        let recorded: [String] = try await c.scalar("SELECT array_agg(checksum ORDER BY version) FROM fazhi_schema_migrations")
        #expect(recorded == migrations.map(\.checksum))
        #expect(recorded.allSatisfy { $0.count == 64 })
        #expect(try await migrator.migrate(on: c).isEmpty)
        c.close()
        try await db.drop()
    }

    @Test func aChangedMigrationIsRefused() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            var edited = migrations
            let original = edited[1]
            edited[1] = Migration(version: original.version, name: original.name, sql: original.sql + "\n-- edited after release\n")
            edited.append(Migration(version: 9999, name: "9999_later.sql", sql: "CREATE TABLE later (id int)"))
            let migrator = Migrator(migrations: edited)
            let error = await #expect(throws: Migrator.ChangedMigrationError.self) { try await migrator.migrate(on: c) }
            #expect(error?.name == original.name)
            #expect(error?.description.contains(original.name) == true)
            // Nothing after the check ran: the later migration is still pending.
            let later: Bool = try await c.scalar("SELECT to_regclass('later') IS NOT NULL")
            #expect(!later)
            let status = try await migrator.status(on: c)
            #expect(status.first { $0.version == original.version }?.status == .changed(appliedChecksum: original.checksum))
            #expect(status.first { $0.version == 9999 }?.status == .pending)
            c.close()
        }
    }

    @Test func aFailingMigrationLeavesNoTrace() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            let broken = migrations + [Migration(version: 9998, name: "9998_broken.sql", sql: "CREATE TABLE half (id int); SELECT 1/0;")]
            let error = await #expect(throws: PostgresError.self) { try await Migrator(migrations: broken).migrate(on: c) }
            #expect(error?.detail?.contains("9998_broken.sql") == true)
            #expect(try await c.scalar("SELECT to_regclass('half') IS NULL", as: Bool.self))
            #expect(try await c.scalar("SELECT count(*) FROM fazhi_schema_migrations WHERE version = 9998", as: Int.self) == 0)
            c.close()
        }
    }

    @Test func concurrentMigratorsOfOneDatabaseTakeTurns() async throws {
        let db = try await TestDatabase.createEmpty()
        let owner = db.owner
        let migrations = migrations
        let appliedCounts = Locked<[Int]>([])
        let errors = await runConcurrently(
            (0..<4).map { _ in
                {
                    let c = try await PostgresConnection.connect(owner)
                    let applied = try await Migrator(migrations: migrations).migrate(on: c)
                    appliedCounts.withLock { $0.append(applied.count) }
                    c.close()
                }
            })
        #expect(errors.isEmpty, "\(errors)")
        // Exactly one migrator did the work; the others found nothing pending.
        #expect(appliedCounts.current.sorted() == [0, 0, 0, migrations.count])
        let c = try await db.ownerConnection()
        #expect(try await c.scalar("SELECT count(*) FROM fazhi_schema_migrations", as: Int.self) == migrations.count)
        c.close()
        try await db.drop()
    }

    @Test func severalDatabasesOfOneClusterMigrateAtOnce() async throws {
        var databases: [TestDatabase] = []
        for _ in 0..<3 { databases.append(try await TestDatabase.createEmpty()) }
        let migrations = migrations
        let errors = await runConcurrently(
            databases.map { db in
                {
                    let c = try await PostgresConnection.connect(db.owner)
                    try await Migrator(migrations: migrations).migrate(on: c)
                    c.close()
                }
            })
        #expect(errors.isEmpty, "\(errors)")
        for db in databases { try await db.drop() }
    }

    @Test func creatingTheRoleIsIdempotentUnderContention() async throws {
        // Roles are cluster-wide: a fresh role name, created from many connections at once.
        let role = "fazhi_race_" + UUID().uuidString.prefix(8).lowercased()
        let db = try await TestDatabase.createEmpty()
        let owner = db.owner
        let errors = await runConcurrently(
            (0..<6).map { _ in
                {
                    let c = try await PostgresConnection.connect(owner)
                    try await ApplicationRole.ensure(role, on: c)
                    c.close()
                }
            })
        #expect(errors.isEmpty, "\(errors)")
        let c = try await db.ownerConnection()
        let attributes = try await c.query("SELECT rolcanlogin, rolbypassrls, rolsuper FROM pg_roles WHERE rolname = $1", [role])
        #expect(attributes.count == 1)
        #expect(try attributes[0].decode(Bool.self, at: 0))
        #expect(try !attributes[0].decode(Bool.self, at: 1))
        #expect(try !attributes[0].decode(Bool.self, at: 2))
        try await c.simpleQuery("DROP ROLE \(role)")
        c.close()
        try await db.drop()
    }

    @Test func theApplicationRolePasswordIsSetWithoutSendingItInClear() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            let role = "fazhi_pw_" + UUID().uuidString.prefix(8).lowercased()
            try await ApplicationRole.ensure(role, password: "correct horse battery staple", on: c)
            // Only a superuser can read pg_authid; the owner checks the effect instead:
            // the role exists and can log in. The verifier is SCRAM, computed by libpq.
            #expect(try await c.scalar("SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", [role], as: Bool.self))
            try await c.simpleQuery("DROP ROLE \(role)")
            c.close()
        }
    }

    @Test func sourceLoadingRejectsBadNames() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fazhi-sql-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SELECT 1".write(to: directory.appendingPathComponent("0002_b.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1".write(to: directory.appendingPathComponent("0010_c.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1".write(to: directory.appendingPathComponent("0001_a.sql"), atomically: true, encoding: .utf8)
        #expect(try MigrationSource.load(from: directory).map(\.version) == [1, 2, 10])
        try "SELECT 1".write(to: directory.appendingPathComponent("0002_again.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationSourceError.self) { try MigrationSource.load(from: directory) }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("0002_again.sql"))
        try "SELECT 1".write(to: directory.appendingPathComponent("nonumber.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationSourceError.self) { try MigrationSource.load(from: directory) }
        #expect(try MigrationSource.locate(explicit: TestCluster.sqlDirectory.path).path == TestCluster.sqlDirectory.path)
        #expect(throws: MigrationSourceError.self) { try MigrationSource.locate(explicit: "/nonexistent/sql", environment: [:]) }
        #expect(try MigrationSource.locate(environment: ["FAZHI_SQL_DIR": directory.path]).path == directory.path)
    }
}
