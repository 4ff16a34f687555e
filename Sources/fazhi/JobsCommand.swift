import ArgumentParser
import FazhiClientVerbs
import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "定时任务 / scheduled jobs, run by hand.", subcommands: [CredentialSweepWork.self, RectificationSweepWork.self])

    /// What every job takes: the day, the agency, the database.
    struct Options: ParsableArguments {
        @Option(name: .long, help: "Run as of this day (YYYY-MM-DD); default today in China Standard Time.") var date: String?
        @Option(name: .long, help: "Only this agency.") var agency: String?
        @Option(name: .long, help: "The server's database URL.") var databaseURL: String?

        /// Runs `body` for each agency on one server at a time (an advisory lock named
        /// `job`); idempotent jobs make a rerun harmless.
        func forEachAgency(job: String, _ body: @escaping @Sendable (PostgresTenantStore, Agency, Moment) async throws -> Void) async throws {
            guard let url = databaseURL ?? ProcessInfo.processInfo.environment["FAZHI_DATABASE_URL"] ?? DevelopmentState.read()?.applicationURL else {
                throw CommandFailure("没有数据库地址 / no database: pass --database-url or set FAZHI_DATABASE_URL")
            }
            let now: Moment
            if let date {
                let day = try CalendarDay(accepting: date)
                now = Moment(instant: Date(timeIntervalSince1970: TimeInterval(day.daysSinceUnixEpoch) * 86_400 + 4 * 3_600), day: day)
            } else {
                now = Moment(instant: Date())
            }
            let configuration = PostgresConfiguration(connectionString: url, applicationName: "fazhi-jobs")
            let pool = ConnectionPool(configuration: configuration, options: .init(maximumConnections: 2))
            let store = PostgresTenantStore(pool: pool)
            let only = agency
            let ran = try await JobLock.run(job, configuration: configuration) {
                var agencies = try await store.agencies(after: nil, limit: 10_000).filter { !$0.isPlatform }
                if let only { agencies = agencies.filter { $0.code == only } }
                for agency in agencies { try await body(store, agency, now) }
                return true
            }
            await pool.close()
            if ran == nil { print("另一台服务器正在运行该任务 / another server is running this job; skipped") }
        }
    }

    struct CredentialSweepWork: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "credential-sweep",
            abstract: "证件核查 / expire credentials past their term, suspend those whose annual review is overdue.",
            discussion:
                "Idempotent; one server at a time (advisory lock). The server's database URL: --database-url, FAZHI_DATABASE_URL, or the embedded cluster."
        )
        @OptionGroup var options: Options

        func run() async throws {
            try await options.forEachAgency(job: DailySweep.credentials.rawValue) { store, agency, now in
                print(try await DailySweep.credentials.run(store, agency: agency, at: now))
            }
        }
    }

    struct RectificationSweepWork: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rectification-sweep",
            abstract: "逾期整改督办 / mark overdue rectification orders and list them for the units' heads.",
            discussion: "Idempotent; one server at a time (advisory lock).")
        @OptionGroup var options: Options

        func run() async throws {
            try await options.forEachAgency(job: DailySweep.rectifications.rawValue) { store, agency, now in
                print(try await DailySweep.rectifications.run(store, agency: agency, at: now))
            }
        }
    }
}
