import FazhiRules
import FazhiUseCases
import Foundation

/// The national calendar in `calendar_years` and `calendar_days` (platform tables).
/// Loading needs the owner's connection: the application role only reads them.
public struct PostgresCalendarStore: CalendarStore {
    public let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    public func load(_ schedule: HolidaySchedule, source: String) async throws {
        try await pool.transaction { connection in
            // Deleting the year cascades to its days, so a corrected schedule replaces the old one.
            try await connection.execute("DELETE FROM calendar_years WHERE year = $1", [schedule.year])
            try await connection.execute("INSERT INTO calendar_years (year, source) VALUES ($1, $2)", [schedule.year, source])
            try await connection.pipeline(
                """
                INSERT INTO calendar_days (day, kind, name, schedule_year) VALUES ($1, $2, $3, $4)
                ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, schedule_year = EXCLUDED.schedule_year
                """,
                parameterSets: schedule.entries.map { [$0.day, $0.kind.rawValue, $0.name, schedule.year] })
        }
    }

    public func schedules() async throws -> [HolidaySchedule] {
        try await Self.schedules { try await pool.query($0) }
    }

    /// Every loaded schedule, read with `query` (the pool, or a transaction's connection).
    static func schedules(_ query: (String) async throws -> PostgresRows) async throws -> [HolidaySchedule] {
        let years = try await query("SELECT year FROM calendar_years ORDER BY year")
        let days = try await query("SELECT day, kind, name, schedule_year FROM calendar_days ORDER BY day")
        var entries: [Int: [HolidaySchedule.Entry]] = [:]
        for row in days {
            let kindText: String = try row.decode(at: 1)
            guard let kind = HolidaySchedule.Kind(rawValue: kindText) else {
                throw PostgresError(code: .decoding, message: "calendar_days.kind holds unknown kind \(kindText)")
            }
            entries[try row.decode(at: 3), default: []].append(
                HolidaySchedule.Entry(day: try row.decode(at: 0), kind: kind, name: try row.decode(at: 2)))
        }
        return try years.map { row in
            let year: Int = try row.decode(at: 0)
            return HolidaySchedule(year: year, entries: entries[year] ?? [])
        }
    }
}
