import FazhiPostgres
import FazhiTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct PoolTests {
    @Test func exhaustionTimesOutWithAClearError() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 2, acquireTimeout: .seconds(1)))
            let first = try await pool.acquire()
            let second = try await pool.acquire()
            let started = ContinuousClock.now
            let error = await #expect(throws: PostgresError.self) { _ = try await pool.acquire() }
            #expect(ContinuousClock.now - started >= .milliseconds(900))
            #expect(error?.message.contains("2") == true)
            #expect(error?.message.contains("in use") == true)
            // A returned connection serves the next caller, who waited for it (a second at
            // most, which leaves a loaded machine time to run the release 50 ms later).
            let waiter = Task { try await pool.withConnection { try await $0.scalar("SELECT 7", as: Int.self) } }
            try await Task.sleep(for: .milliseconds(50))
            await pool.release(first)
            #expect(try await waiter.value == 7)
            await pool.release(second)
            #expect(pool.openConnections == 2)
            await pool.close()
        }
    }

    /// Each waiter has its own deadline: the first one's expiry leaves a later one waiting.
    /// Checked so that no machine is too slow for it: the second waiter either gets the
    /// connection released after the first expired, or (when this test woke too late to
    /// release it in time) fails no earlier than its own full timeout, never at the first's.
    @Test func waitersTimeOutEachAtTheirOwnDeadline() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 1, acquireTimeout: .seconds(2)))
            let held = try await pool.acquire()
            let started = ContinuousClock.now
            let first = Task { try await pool.withConnection { _ in ContinuousClock.now } }
            try await Task.sleep(for: .seconds(1))
            let secondStarted = ContinuousClock.now
            // The answer, or the error with the instant it came.
            let second = Task { () async throws -> (Int?, PostgresError?, ContinuousClock.Instant) in
                do {
                    return (try await pool.withConnection { try await $0.scalar("SELECT 8", as: Int.self) }, nil, ContinuousClock.now)
                } catch let error as PostgresError {
                    return (nil, error, ContinuousClock.now)
                }
            }
            let error = await #expect(throws: PostgresError.self) { _ = try await first.value }
            #expect(error?.message.contains("in use") == true)
            #expect(ContinuousClock.now - started >= .milliseconds(1900))
            await pool.release(held)
            let (value, failure, ended) = try await second.value
            if let failure {
                // Only a late wake of this test gets here; then the second ran out its own time.
                #expect(ended - secondStarted >= .milliseconds(1900), "the second waiter failed before its own deadline: \(failure)")
            } else {
                #expect(value == 8, "the second waiter got the connection the first never did")
            }
            #expect(pool.usage.waiting == 0)
            await pool.close()
        }
    }

    @Test func manyTasksShareABoundedPool() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 4))
            let peak = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<64 {
                    group.addTask {
                        try await pool.withConnection { try await $0.scalar("SELECT $1::bigint", [index]) }
                    }
                }
                var sum = 0
                for try await value in group { sum += value }
                return sum
            }
            #expect(peak == (0..<64).reduce(0, +))
            #expect(pool.openConnections <= 4)
            let backends: Int = try await pool.withConnection {
                try await $0.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'fazhi-tests'")
            }
            #expect(backends <= 4)
            await pool.close()
        }
    }

    @Test func aTaskOnAnEventLoopBorrowsAConnectionOfThatLoop() async throws {
        let loops = PostgresEventLoop.executors
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 2 * loops.count))
            // Opened from a task on a loop, a connection belongs to that loop.
            var held: [PostgresConnection] = []
            for round in 0..<2 {
                for (index, loop) in loops.enumerated() {
                    let connection = try await withTaskExecutorPreference(loop) { try await pool.acquire() }
                    #expect(connection.eventLoopIndex == index, "round \(round)")
                    held.append(connection)
                }
            }
            for connection in held { await pool.release(connection) }
            // Idle connections of every loop: each task still gets one of its own loop.
            for (index, loop) in loops.enumerated().reversed() {
                let (borrowed, answer) = try await withTaskExecutorPreference(loop) {
                    try await pool.withConnection { ($0.eventLoopIndex, try await $0.scalar("SELECT 1", as: Int.self)) }
                }
                #expect(borrowed == index)
                #expect(answer == 1)
            }
            await pool.close()
        }
    }

    @Test func aKilledBackendCostsOnlyTheStatementInFlight() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 1))
            let killer = try await db.ownerConnection()
            // Killed while idle: the next call gets a fresh connection and succeeds.
            let idlePID: Int32 = try await pool.withConnection { $0.backendPID }
            try await killer.query("SELECT pg_terminate_backend($1)", [idlePID])
            try await Task.sleep(for: .milliseconds(100))
            let (answer, nextPID): (Int, Int32) = try await pool.withConnection { c in
                (try await c.scalar("SELECT 1"), c.backendPID)
            }
            #expect(answer == 1)
            #expect(nextPID != idlePID)
            // Killed mid-statement: that statement fails, the one after succeeds.
            let running = Task { try await pool.query("SELECT pg_sleep(10)") }
            try await waitUntilActive(pid: nextPID, on: killer)
            try await killer.query("SELECT pg_terminate_backend($1)", [nextPID])
            let lost = await #expect(throws: PostgresError.self) { try await running.value }
            #expect(lost?.code == .connectionLost)
            #expect(try await pool.withConnection { try await $0.scalar("SELECT 2", as: Int.self) } == 2)
            #expect(pool.openConnections == 1)
            killer.close()
            await pool.close()
        }
    }

    /// The health check reads what the connection's event loop saw arrive while the
    /// connection was idle; it makes no system call of its own. Checked with the socket
    /// armed once (a task on Swift's pool) and watched throughout (a task on the loop).
    @Test(arguments: [false, true]) func aBackendKilledWhileIdleIsSeenByTheHealthCheck(onEventLoop: Bool) async throws {
        try await TestDatabase.with { db in
            let killer = try await db.ownerConnection()
            @Sendable func killWhileIdle() async throws {
                let connection = try await db.ownerConnection()
                #expect(try await connection.scalar("SELECT 1", as: Int.self) == 1)
                #expect(connection.isHealthy())
                try await Task.sleep(for: .milliseconds(20))
                #expect(connection.isHealthy(), "nothing arrives unasked on a healthy idle connection")
                try await killer.query("SELECT pg_terminate_backend($1)", [connection.backendPID])
                var noticed = false
                for _ in 0..<200 where !noticed {
                    try await Task.sleep(for: .milliseconds(10))
                    noticed = !connection.isHealthy()
                }
                #expect(noticed, "the server's goodbye was not seen")
                let lost = await #expect(throws: PostgresError.self) { try await connection.query("SELECT 1") }
                #expect(lost?.code == .connectionLost)
                connection.close()
            }
            if onEventLoop {
                try await withTaskExecutorPreference(PostgresEventLoop.executor) { try await killWhileIdle() }
            } else {
                try await killWhileIdle()
            }
            killer.close()
        }
    }

    @Test func aConnectionReturnedInsideATransactionIsNotReused() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 1))
            let leaked: Int32 = try await pool.withConnection { c in
                try await c.simpleQuery("BEGIN")
                return c.backendPID
            }
            let (state, fresh): (PostgresConnection.TransactionState, Int32) = try await pool.withConnection { c in
                (c.transactionState, c.backendPID)
            }
            #expect(state == .idle)
            #expect(fresh != leaked)
            await pool.close()
        }
    }

    @Test func applicationNameIsSet() async throws {
        try await TestDatabase.with { db in
            var configuration = db.owner
            configuration.applicationName = "fazhi-gateway"
            let c = try await PostgresConnection.connect(configuration)
            #expect(try await c.scalar("SHOW application_name", as: String.self) == "fazhi-gateway")
            c.close()
        }
    }

    @Test func connectionFailuresAreClear() async throws {
        let error = await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(
                PostgresConfiguration(connectionString: "postgresql://nobody@127.0.0.1:1/none", connectTimeoutSeconds: 2))
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains("127.0.0.1") == true)
        #expect(throws: PostgresError.self) { try PostgresConfiguration.fromEnvironment("FAZHI_SURELY_UNSET", environment: [:]) }
    }
}

@Suite(.timeLimit(.minutes(2))) struct CancellationTests {
    @Test func cancellingTheTaskCancelsTheQueryOnTheServer() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 1))
            let observer = try await db.ownerConnection()
            let pid: Int32 = try await pool.withConnection { $0.backendPID }
            let started = ContinuousClock.now
            let sleeper = Task { try await pool.query("SELECT pg_sleep(30)") }
            try await waitUntilActive(pid: pid, on: observer)
            let query: String = try await observer.scalar("SELECT query FROM pg_stat_activity WHERE pid = $1", [pid])
            #expect(query.contains("pg_sleep"))
            sleeper.cancel()
            let error = await #expect(throws: PostgresError.self) { try await sleeper.value }
            #expect(error?.code == .queryCanceled)
            #expect(ContinuousClock.now - started < .seconds(10))
            // The server no longer runs it, and the connection went back to the pool usable.
            let state: String = try await observer.scalar("SELECT state FROM pg_stat_activity WHERE pid = $1", [pid])
            #expect(state == "idle")
            let (answer, reusedPID): (Int, Int32) = try await pool.withConnection { c in
                (try await c.scalar("SELECT 3"), c.backendPID)
            }
            #expect(answer == 3)
            #expect(reusedPID == pid)
            observer.close()
            await pool.close()
        }
    }

    @Test func cancellingAWaiterLeavesThePoolIntact() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 1, acquireTimeout: .seconds(30)))
            let held = try await pool.acquire()
            let waiter = Task { try await pool.acquire() }
            try await Task.sleep(for: .milliseconds(50))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { _ = try await waiter.value }
            await pool.release(held)
            #expect(try await pool.withConnection { try await $0.scalar("SELECT 1", as: Int.self) } == 1)
            await pool.close()
        }
    }
}
