import ArgumentParser
import FazhiDomain
import FazhiPostgres
import Foundation

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "定时任务 / scheduled jobs, run by hand.", subcommands: [CredentialSweep.self])

    struct CredentialSweep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "credential-sweep",
            abstract: "证件核查 / expire credentials past their term, suspend those whose annual review is overdue.",
            discussion: "Idempotent; one server at a time (advisory lock). The server's database URL: --database-url, FAZHI_DATABASE_URL, or the embedded cluster.")
        @Option(name: .long, help: "Run as of this day (YYYY-MM-DD); default today in China Standard Time.") var date: String?
        @Option(name: .long, help: "Only this agency.") var agency: String?
        @Option(name: .long, help: "The server's database URL.") var databaseURL: String?

        func run() async throws {
            guard let url = databaseURL ?? ProcessInfo.processInfo.environment["FAZHI_DATABASE_URL"] ?? DevelopmentState.read()?.applicationURL else {
                throw CommandFailure("没有数据库地址 / no database: pass --database-url or set FAZHI_DATABASE_URL")
            }
            let now: Moment
            if let date {
                let day = try CalendarDay(iso: date)
                now = Moment(instant: Date(timeIntervalSince1970: TimeInterval(day.daysSinceUnixEpoch) * 86_400 + 4 * 3_600), day: day)
            } else {
                now = Moment(instant: Date())
            }
            let configuration = PostgresConfiguration(connectionString: url, applicationName: "fazhi-jobs")
            let pool = ConnectionPool(configuration: configuration, options: .init(maximumConnections: 2))
            let store = PostgresTenantStore(pool: pool)
            let ran = try await JobLock.run("credential-sweep", configuration: configuration) {
                var agencies = try await store.agencies(after: nil, limit: 10_000).filter { !$0.isPlatform }
                if let agency { agencies = agencies.filter { $0.code == agency } }
                for agency in agencies {
                    let report = try await CredentialAdministration(store: store).sweep(agency: agency, at: now)
                    print("\(agency.code) \(now.day): 期满 expired \(report.expired.count), 暂扣 suspended \(report.suspended.count)"
                          + (report.expired + report.suspended).map { "\n  \($0)" }.joined())
                }
                return true
            }
            await pool.close()
            if ran == nil { print("另一台服务器正在运行该任务 / another server is running this job; skipped") }
        }
    }
}
