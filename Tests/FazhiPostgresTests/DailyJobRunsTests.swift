import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Testing

@testable import FazhiPostgres

/// Each day's run of a daily job is claimed by exactly one server.
@Suite struct DailyJobRunsTests {
    @Test func oneClaimPerJobAndDayAmongManyServers() async throws {
        try await TestDatabase.with { db in
            let pools = (0..<4).map { _ in ConnectionPool(configuration: db.application, options: .init(maximumConnections: 2)) }
            let day = try CalendarDay(iso: "2026-12-07")
            let now = Date()
            let won = Locked(0)
            let errors = await runConcurrently(
                pools.flatMap { pool in
                    (0..<5).map { _ in
                        { @Sendable in if try await DailyJobRuns(pool: pool).claim("credential-sweep", day: day, at: now) { won.withLock { $0 += 1 } }
                        }
                    }
                })
            #expect(errors.isEmpty)
            #expect(won.current == 1, "twenty claims, one winner")
            let runs = DailyJobRuns(pool: pools[0])
            #expect(try await runs.claim("rectification-sweep", day: day, at: now), "another job's day is its own")
            #expect(try await runs.claim("credential-sweep", day: day.adding(days: 1), at: now), "so is the next day")
            for pool in pools { await pool.close() }
        }
    }

    @Test func aClaimLeftUnfinishedIsTakenOverAfterAnHourAndAFinishedOneNever() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.application, options: .init(maximumConnections: 2))
            let runs = DailyJobRuns(pool: pool)
            let day = try CalendarDay(iso: "2026-12-07")
            let start = Date(timeIntervalSince1970: 1_796_000_000)
            #expect(try await runs.claim("credential-sweep", day: day, at: start))
            // The claiming server died before finishing.
            #expect(try await !runs.claim("credential-sweep", day: day, at: start.addingTimeInterval(3_599)), "still within the hour")
            #expect(try await runs.claim("credential-sweep", day: day, at: start.addingTimeInterval(3_601)), "abandoned: taken over")
            try await runs.finish("credential-sweep", day: day, summary: "411202-MZ 2026-12-07: 期满 expired 0", at: start.addingTimeInterval(3_700))
            #expect(try await !runs.claim("credential-sweep", day: day, at: start.addingTimeInterval(86_400)), "done is done")
            let owner = try await db.ownerConnection()
            defer { owner.close() }
            let summary = try await owner.scalar(
                "SELECT summary FROM job_runs WHERE job = 'credential-sweep' AND day = '2026-12-07'", as: String.self)
            #expect(summary.hasPrefix("411202-MZ"))
            await pool.close()
        }
    }
}
