import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation
import Logging
import ServiceLifecycle

/// The daily sweeps, run by `fazhi serve` itself at `jobs.daily_at` (China Standard Time),
/// so no deployment needs cron. Each day's run of each sweep is claimed in `job_runs`: with
/// several servers the first to claim it runs it, the others skip; a server that was down
/// at the time catches up when it starts. The sweep also takes the advisory lock that
/// `fazhi jobs` takes, so a run by hand never overlaps it.
struct DailyJobs: Service {
    let schedule: DailySchedule
    let runs: DailyJobRuns
    let store: PostgresTenantStore
    let database: PostgresConfiguration
    let logger: Logger
    var clock: @Sendable () -> Date = { Date() }
    /// Even with nothing due, look again this often: a claim abandoned by a dead server, or
    /// a clock set forward, is noticed.
    var recheck: TimeInterval = 300

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await runDue()
                let now = clock()
                let wait = min(recheck, max(1, schedule.next(after: now).timeIntervalSince(now)))
                try? await Task.sleep(for: .seconds(wait))
            }
        }
    }

    /// Runs every sweep whose current day no server has claimed yet.
    func runDue() async {
        let now = clock()
        let day = schedule.dueDay(at: now)
        for sweep in DailySweep.allCases {
            do {
                guard try await runs.claim(sweep.rawValue, day: day, at: now) else { continue }
                let lines = try await JobLock.run(sweep.rawValue, configuration: database) {
                    var lines: [String] = []
                    for agency in try await store.agencies(after: nil, limit: 10_000) where !agency.isPlatform {
                        lines.append(try await sweep.run(store, agency: agency, at: Moment(instant: now)))
                    }
                    return lines
                }
                let summary =
                    lines.map { $0.isEmpty ? "没有机构 / no agencies" : $0.joined(separator: "\n") }
                    ?? "skipped: run by hand at the same time (fazhi jobs)"
                try await runs.finish(sweep.rawValue, day: day, summary: summary, at: clock())
                logger.info("daily job done", metadata: ["job": "\(sweep.rawValue)", "day": "\(day)", "summary": "\(summary)"])
            } catch let error as any OutageError where error.isOutage {
                logger.warning("daily job waits for the database", metadata: ["job": "\(sweep.rawValue)", "day": "\(day)", "error": "\(error)"])
            } catch {
                logger.error(
                    "daily job failed; the next server start or the next day runs it again",
                    metadata: ["job": "\(sweep.rawValue)", "day": "\(day)", "error": "\(error)"])
            }
        }
    }
}
