import FazhiPostgres
import FazhiTestSupport
import Foundation
import Testing

/// One connection runs one operation at a time, and closing it never frees libpq under a
/// statement in flight.
@Suite(.timeLimit(.minutes(2))) struct ConnectionUseTests {
    /// Waits until `pid` waits for the advisory lock `holder` holds, so its statement is
    /// surely in flight, and stays so until `holder` lets go.
    func waitUntilBlocked(pid: Int32, on holder: PostgresConnection) async throws {
        try await waitUntilBackend(pid, on: holder, matches: "wait_event_type = 'Lock'", attempts: 3000, else: "waited for the lock")
    }

    @Test func aSecondConcurrentUseIsRefusedAndTheFirstCompletes() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            let observer = try await db.ownerConnection()
            try await observer.execute("SELECT pg_advisory_lock(42)")
            let first = Task { try await c.scalar("SELECT 7 FROM pg_advisory_lock(42)", as: Int.self) }
            try await waitUntilBlocked(pid: c.backendPID, on: observer)
            do {
                try await c.execute("SELECT 1")
                Issue.record("a second statement ran while the first was in flight")
            } catch let error as PostgresError {
                #expect(error.code == .protocolViolation)
                #expect(error.message.contains("one statement at a time"))
            }
            try await observer.execute("SELECT pg_advisory_unlock(42)")
            #expect(try await first.value == 7)
            // The refused statement left nothing behind: the connection works on.
            #expect(try await c.scalar("SELECT 1", as: Int.self) == 1)
            c.close()
            observer.close()
        }
    }

    @Test func closingDuringAStatementClosesWhenItEnds() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            let observer = try await db.ownerConnection()
            let pid = c.backendPID
            try await observer.execute("SELECT pg_advisory_lock(43)")
            let inFlight = Task { try await c.scalar("SELECT 8 FROM pg_advisory_lock(43)", as: Int.self) }
            try await waitUntilBlocked(pid: pid, on: observer)
            c.close()
            try await observer.execute("SELECT pg_advisory_unlock(43)")
            // The statement in flight still gets its answer ...
            #expect(try await inFlight.value == 8)
            // ... then the connection is closed: refused here, and gone from the server.
            do {
                try await c.execute("SELECT 1")
                Issue.record("a closed connection ran a statement")
            } catch let error as PostgresError {
                #expect(error.code == .connectionLost)
            }
            var backends = 1
            for _ in 0..<300 where backends > 0 {
                backends = try await observer.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [pid])
                if backends > 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(backends == 0, "the server still serves the closed connection")
            // Closing twice is harmless.
            c.close()
            observer.close()
        }
    }
}
