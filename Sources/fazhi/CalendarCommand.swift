import ArgumentParser
import FazhiClientVerbs
import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "全国节假日安排 / the national working-day calendar.",
        subcommands: [Load.self, List.self]
    )

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load one year's holiday schedule from a CSV file (date,kind,name), replacing that year's.")

        @Argument(help: "A CSV file shaped like holidays-cn-2026.csv.")
        var file: String

        @Option(name: .long, help: "The schedule's year; by default the year most of its days fall in.")
        var year: Int?

        @Option(name: .long, help: "The owner's postgresql:// URL or conninfo.")
        var databaseURL: String?

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw CommandFailure("无法读取 / cannot read \(file) as UTF-8 text")
            }
            let schedule = try HolidaySchedule.parse(csv: text, year: year)
            let pool = ConnectionPool(configuration: try ownerConfiguration(explicit: databaseURL), options: .init(maximumConnections: 1))
            try await PostgresCalendarStore(pool: pool).load(schedule, source: URL(fileURLWithPath: file).lastPathComponent)
            await pool.close()
            let holidays = schedule.entries.filter { $0.kind == .holiday }.count
            print("已导入 \(schedule.year) 年 / loaded \(schedule.year): \(holidays) holidays, \(schedule.entries.count - holidays) make-up working days")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the years whose schedule is loaded.")

        @Option(name: .long, help: "A postgresql:// URL or conninfo (owner or application role).")
        var databaseURL: String?

        func run() async throws {
            let pool = ConnectionPool(configuration: try ownerConfiguration(explicit: databaseURL), options: .init(maximumConnections: 1))
            let schedules = try await PostgresCalendarStore(pool: pool).schedules()
            await pool.close()
            for schedule in schedules {
                print("\(schedule.year): \(schedule.entries.count) days")
            }
        }
    }
}
