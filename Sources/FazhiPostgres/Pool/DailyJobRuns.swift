import FazhiRules
import FazhiUseCases
import Foundation

/// Which days' runs of the daily jobs are done or under way, shared by every server
/// (table `job_runs`): the first server to claim a day runs it, the others skip it.
public struct DailyJobRuns: Sendable {
    /// A claim not finished after this long belongs to a server that died; it may be taken over.
    public static let abandonedAfter: TimeInterval = 3_600

    let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    /// Claims `day` of `job`; false when another server has it, running or done.
    public func claim(_ job: String, day: CalendarDay, at now: Date) async throws -> Bool {
        let rows = try await pool.query(
            """
            INSERT INTO job_runs (job, day, claimed_at) VALUES ($1, $2::date, $3)
            ON CONFLICT (job, day) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
                WHERE job_runs.finished_at IS NULL AND job_runs.claimed_at < $4
            """, [job, day.description, now, now.addingTimeInterval(-Self.abandonedAfter)])
        return rows.affectedRows == 1
    }

    public func finish(_ job: String, day: CalendarDay, summary: String, at now: Date) async throws {
        _ = try await pool.query(
            "UPDATE job_runs SET finished_at = $3, summary = $4 WHERE job = $1 AND day = $2::date",
            [job, day.description, now, summary])
    }
}
