import FazhiPostgres
import FazhiTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct TransactionTests {
    @Test func commitsOnReturnAndRollsBackOnThrow() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 2))
            try await pool.query("CREATE TABLE ledger (id int PRIMARY KEY)")
            let inserted = try await pool.transaction { try await $0.execute("INSERT INTO ledger VALUES (1)") }
            #expect(inserted == 1)
            struct Oops: Error {}
            await #expect(throws: Oops.self) {
                try await pool.transaction { c in
                    try await c.execute("INSERT INTO ledger VALUES (2)")
                    throw Oops()
                }
            }
            let ids: [Int32] = try await pool.query("SELECT array_agg(id ORDER BY id) FROM ledger")[0].decode(at: 0)
            #expect(ids == [1])
            await pool.close()
        }
    }

    /// Deferred statements are seen by the transaction's next statement, and one that
    /// fails fails the transaction at the statement it travelled with: nothing is written.
    @Test func deferredStatementsTravelWithTheNextAndFailTheTransaction() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 1))
            try await pool.query("CREATE TABLE ledger (id int PRIMARY KEY)")
            let seen: Int = try await pool.transaction { c in
                c.deferStatement("INSERT INTO ledger VALUES ($1)", [1])
                c.deferStatement("INSERT INTO ledger VALUES ($1)", [2])
                return try await c.query("SELECT count(*)::int FROM ledger")[0].decode(at: 0)
            }
            #expect(seen == 2)
            let error = await #expect(throws: PostgresError.self) {
                try await pool.transaction { c in
                    try await c.execute("INSERT INTO ledger VALUES (3)")
                    c.deferStatement("INSERT INTO ledger VALUES ($1)", [1])  // a duplicate, sent with COMMIT
                }
            }
            #expect(error?.code == .uniqueViolation)
            // Deferred, then COPY: the rows are there before the copy reads.
            let copied = try await pool.transaction { c in
                c.deferStatement("INSERT INTO ledger VALUES ($1)", [4])
                var out = Data()
                _ = try await c.copyOut("COPY (SELECT id FROM ledger ORDER BY id) TO STDOUT") { out.append($0) }
                return String(decoding: out, as: UTF8.self)
            }
            #expect(copied == "1\n2\n4\n")
            let state = try await pool.withConnection { $0.transactionState }
            #expect(state == .idle)
            await pool.close()
        }
    }

    @Test func aPipelinedTransactionCommitsAllOrNothing() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 1))
            try await pool.query("CREATE TABLE ledger (id int PRIMARY KEY, note text NOT NULL)")
            try await pool.pipelinedTransaction(
                TransactionOptions(),
                [
                    ("INSERT INTO ledger VALUES ($1, $2)", [1, "一"]),
                    ("INSERT INTO ledger VALUES ($1, $2)", [2, "二"]),
                ])
            // The second statement fails: the first is rolled back with it, the error is typed.
            let error = await #expect(throws: PostgresError.self) {
                try await pool.pipelinedTransaction(
                    TransactionOptions(),
                    [
                        ("INSERT INTO ledger VALUES ($1, $2)", [3, "三"]),
                        ("INSERT INTO ledger VALUES ($1, $2)", [1, "duplicate"]),
                        ("INSERT INTO ledger VALUES ($1, $2)", [4, "四"]),
                    ])
            }
            #expect(error?.code == .uniqueViolation)
            #expect(error?.constraint == "ledger_pkey")
            // The same (only) connection is clean and outside any transaction afterwards.
            let ids: [Int32] = try await pool.query("SELECT array_agg(id ORDER BY id) FROM ledger")[0].decode(at: 0)
            #expect(ids == [1, 2])
            let state = try await pool.withConnection { $0.transactionState }
            #expect(state == .idle)
            await pool.close()
        }
    }

    /// Two serializable transactions each read what the other writes: one must fail with
    /// 40001. The retry runs it again, and it commits.
    func provokeSerializationFailure(maximumAttempts: Int, db: TestDatabase) async throws -> Int {
        let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 4))
        try await pool.query("CREATE TABLE doctors (name text PRIMARY KEY, on_call bool NOT NULL)")
        try await pool.query("INSERT INTO doctors VALUES ('a', true), ('b', true)")
        let barrier = Barrier(parties: 2)
        let options = TransactionOptions(isolation: .serializable, maximumAttempts: maximumAttempts)
        let takeOff: @Sendable (String) async throws -> Void = { name in
            let first = Locked(true)
            try await pool.transaction(options) { c in
                let onCall: Int = try await c.scalar("SELECT count(*) FROM doctors WHERE on_call")
                if first.withLock({ value in
                    defer { value = false }
                    return value
                }) {
                    await barrier.arrive()
                }
                if onCall >= 2 { try await c.execute("UPDATE doctors SET on_call = false WHERE name = $1", [name]) }
            }
        }
        let failures = await runConcurrently([{ try await takeOff("a") }, { try await takeOff("b") }])
        let stillOnCall: Int = try await pool.withConnection { try await $0.scalar("SELECT count(*) FROM doctors WHERE on_call") }
        await pool.close()
        if let failure = failures.first { throw failure }
        return stillOnCall
    }

    @Test func serializationFailureIsRetriedAndCommits() async throws {
        try await TestDatabase.with { db in
            // Whichever transaction loses is retried; the invariant (someone on call) holds.
            let onCall = try await provokeSerializationFailure(maximumAttempts: 3, db: db)
            #expect(onCall == 1)
        }
    }

    @Test func serializationFailureBeyondTheBoundIsTyped() async throws {
        try await TestDatabase.with { db in
            do {
                _ = try await provokeSerializationFailure(maximumAttempts: 1, db: db)
                Issue.record("expected a serialization failure")
            } catch let error as PostgresError {
                #expect(error.code == .serializationFailure)
                #expect(error.sqlState == "40001")
            }
        }
    }

    /// Two transactions lock two rows in opposite orders; the server breaks the deadlock
    /// by failing one with 40P01.
    func provokeDeadlock(maximumAttempts: Int, db: TestDatabase) async throws -> (attempts: [String: Int], values: [Int32]) {
        let pool = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 4))
        try await pool.query("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)")
        try await pool.query("INSERT INTO accounts VALUES (1, 100), (2, 100)")
        let barrier = Barrier(parties: 2)
        let attempts = Locked<[String: Int]>([:])
        let transfer: @Sendable (String, Int, Int) async throws -> Void = { name, from, to in
            let first = Locked(true)
            try await pool.transaction(TransactionOptions(maximumAttempts: maximumAttempts)) { c in
                attempts.withLock { $0[name, default: 0] += 1 }
                try await c.execute("UPDATE accounts SET balance = balance - 10 WHERE id = $1", [from])
                if first.withLock({ value in
                    defer { value = false }
                    return value
                }) {
                    await barrier.arrive()
                }
                try await c.execute("UPDATE accounts SET balance = balance + 10 WHERE id = $1", [to])
            }
        }
        let failures = await runConcurrently([{ try await transfer("a", 1, 2) }, { try await transfer("b", 2, 1) }])
        let values: [Int32] = try await pool.withConnection { try await $0.scalar("SELECT array_agg(balance ORDER BY id) FROM accounts") }
        await pool.close()
        if let failure = failures.first { throw failure }
        return (attempts.current, values)
    }

    @Test func deadlockIsRetriedAndCommits() async throws {
        try await TestDatabase.with { db in
            let outcome = try await provokeDeadlock(maximumAttempts: 3, db: db)
            // Both transfers committed in the end, and one of them took a second attempt.
            #expect(outcome.values == [100, 100])
            #expect(outcome.attempts.values.sorted() == [1, 2])
        }
    }

    @Test func deadlockBeyondTheBoundIsTyped() async throws {
        try await TestDatabase.with { db in
            do {
                _ = try await provokeDeadlock(maximumAttempts: 1, db: db)
                Issue.record("expected a deadlock")
            } catch let error as PostgresError {
                #expect(error.code == .deadlockDetected)
                #expect(error.sqlState == "40P01")
            }
        }
    }
}
