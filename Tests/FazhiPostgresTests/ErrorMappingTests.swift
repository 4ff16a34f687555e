import FazhiPostgres
import FazhiTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct ErrorMappingTests {
    @discardableResult
    func expectError(_ code: PostgresError.Code, _ body: () async throws -> Void) async -> PostgresError? {
        do {
            try await body()
            Issue.record("expected \(code), but nothing was thrown")
            return nil
        } catch let error as PostgresError {
            #expect(error.code == code, "\(error)")
            return error
        } catch {
            Issue.record("expected a PostgresError \(code), got \(error)")
            return nil
        }
    }

    @Test func constraintViolationsNameTheirConstraint() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            try await c.simpleQuery(
                """
                CREATE TABLE parents (id int PRIMARY KEY);
                CREATE TABLE children (
                    id int CONSTRAINT children_pk PRIMARY KEY,
                    parent int CONSTRAINT children_parent_fk REFERENCES parents (id),
                    age int CONSTRAINT children_age_positive CHECK (age > 0),
                    name text NOT NULL DEFAULT 'x',
                    slot int, CONSTRAINT children_slot_unique UNIQUE (slot));
                INSERT INTO parents VALUES (1);
                INSERT INTO children (id, parent, age, slot) VALUES (1, 1, 5, 1);
                """)
            let unique = await expectError(.uniqueViolation) {
                try await c.execute("INSERT INTO children (id, slot) VALUES ($1, $2)", [2, 1])
            }
            #expect(unique?.constraint == "children_slot_unique")
            #expect(unique?.table == "children")
            let primary = await expectError(.uniqueViolation) { try await c.execute("INSERT INTO children (id) VALUES ($1)", [1]) }
            #expect(primary?.constraint == "children_pk")
            let foreign = await expectError(.foreignKeyViolation) {
                try await c.execute("INSERT INTO children (id, parent) VALUES ($1, $2)", [3, 99])
            }
            #expect(foreign?.constraint == "children_parent_fk")
            let check = await expectError(.checkViolation) {
                try await c.execute("INSERT INTO children (id, age) VALUES ($1, $2)", [4, -1])
            }
            #expect(check?.constraint == "children_age_positive")
            let nullName: String? = nil
            let notNull = await expectError(.notNullViolation) {
                try await c.execute("INSERT INTO children (id, name) VALUES ($1, $2)", [5, nullName])
            }
            #expect(notNull?.column == "name")
            #expect(notNull?.table == "children")
            c.close()
        }
    }

    @Test func privilegeRaisedAndOtherStates() async throws {
        try await TestDatabase.with { db in
            let app = try await db.applicationConnection()
            await expectError(.insufficientPrivilege) { try await app.execute("DELETE FROM agencies") }
            let owner = try await db.ownerConnection()
            let raised = await expectError(.raised) {
                try await owner.simpleQuery("DO $$ BEGIN RAISE EXCEPTION 'boom'; END $$")
            }
            #expect(raised?.sqlState == "P0001")
            let syntax = await expectError(.server(sqlState: "42601")) { try await owner.query("SELEC 1") }
            #expect(syntax?.message.contains("syntax") == true)
            // The connection is still usable after errors.
            #expect(try await owner.scalar("SELECT 1", as: Int.self) == 1)
            app.close()
            owner.close()
        }
    }

    @Test func statementTimeoutIsNotACancellation() async throws {
        try await TestDatabase.with { db in
            var configuration = db.owner
            configuration.statementTimeoutMilliseconds = 100
            let c = try await PostgresConnection.connect(configuration)
            await expectError(.statementTimeout) { try await c.query("SELECT pg_sleep(5)") }
            c.close()
        }
    }

    @Test func cancellationByAnOperatorIsQueryCanceled() async throws {
        try await TestDatabase.with { db in
            let victim = try await db.ownerConnection()
            let pid = victim.backendPID
            let killer = try await db.ownerConnection()
            let outcome = Task { await self.expectError(.queryCanceled) { try await victim.query("SELECT pg_sleep(10)") } }
            try await waitUntilActive(pid: pid, on: killer)
            try await killer.query("SELECT pg_cancel_backend($1)", [pid])
            _ = await outcome.value
            victim.close()
            killer.close()
        }
    }

    @Test func aKilledBackendIsConnectionLost() async throws {
        try await TestDatabase.with { db in
            let victim = try await db.ownerConnection()
            let pid = victim.backendPID
            let killer = try await db.ownerConnection()
            let outcome = Task { await self.expectError(.connectionLost) { try await victim.query("SELECT pg_sleep(10)") } }
            try await waitUntilActive(pid: pid, on: killer)
            try await killer.query("SELECT pg_terminate_backend($1)", [pid])
            _ = await outcome.value
            #expect(victim.isHealthy() == false)
            await expectError(.connectionLost) { try await victim.query("SELECT 1") }
            victim.close()
            killer.close()
        }
    }
}

/// Waits until backend `pid` is running a statement.
func waitUntilActive(pid: Int32, on connection: PostgresConnection) async throws {
    try await waitUntilBackend(pid, on: connection, matches: "state = 'active'", attempts: 200, else: "became active")
}

/// Polls `pg_stat_activity` every 10 ms until backend `pid` matches `condition` (SQL on
/// that view), at most `attempts` times; records an issue naming what it `never` did.
func waitUntilBackend(
    _ pid: Int32, on connection: PostgresConnection, matches condition: String, attempts: Int,
    else never: String
) async throws {
    for _ in 0..<attempts {
        let matching: Int = try await connection.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND \(condition)", [pid])
        if matching == 1 { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("backend \(pid) never \(never)")
}

/// Answers that arrive in pieces: one wake-up of the socket may bring the end of one
/// statement's result and the start of the next, which no later wake-up announces. Run
/// from Swift's pool (the socket armed once per wait) and from an event loop (the socket
/// watched throughout).
@Suite(.timeLimit(.minutes(2))) struct LongAnswerTests {
    @Test(arguments: [false, true]) func multiStatementQueriesWithLargeResultsComplete(onEventLoop: Bool) async throws {
        try await TestDatabase.with { db in
            if onEventLoop {
                try await withTaskExecutorPreference(PostgresEventLoop.executor) { try await longAnswers(db) }
            } else {
                try await longAnswers(db)
            }
        }
    }

    private func longAnswers(_ db: TestDatabase) async throws {
        let c = try await PostgresConnection.connect(db.owner)
        for size in [100, 4_000, 9_000, 17_000, 70_000] {
            let script = (0..<40).map { "SELECT repeat('x', \($0 * 37 + size));" }.joined(separator: " ")
            try await c.simpleQuery(script)
            try await c.simpleQuery("SELECT 1; SELECT repeat('y', \(size)); SELECT 2; SELECT repeat('z', \(size * 3));")
        }
        let last: String = try await c.scalar("SELECT repeat('w', 123456)")
        #expect(last.utf8.count == 123_456)
        c.close()
    }
}
