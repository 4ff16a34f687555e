import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct CalendarStoreTests {
    @Test func theMigratedCalendarHoldsTheOfficialSchedules() async throws {
        try await TestDatabase.with { db in
            let pool = ConnectionPool(configuration: db.application, options: .init(maximumConnections: 1))
            let schedules = try await PostgresCalendarStore(pool: pool).schedules()
            #expect(schedules.map(\.year) == [2023, 2024, 2025, 2026])
            let calendar = WorkingDayCalendar(schedules: schedules)
            // 2023's New Year holiday began on 2022-12-31, a Saturday listed in 2023's schedule.
            #expect(schedules[0].entries.first?.day == (try CalendarDay(iso: "2022-12-31")))
            // National Day 2024: 1–7 October off, Sunday 29 September and Saturday 12 October worked.
            #expect(!calendar.isWorkingDay(try CalendarDay(iso: "2024-10-01")))
            #expect(calendar.isWorkingDay(try CalendarDay(iso: "2024-09-29")))
            #expect(calendar.isWorkingDay(try CalendarDay(iso: "2024-10-12")))
            // 7 working days after a penalty decision on Monday 2024-09-30: 8, 9, 10, 11, 12 (Sat, worked), 14, 15 October.
            #expect(calendar.addingWorkingDays(7, after: try CalendarDay(iso: "2024-09-30")).day == (try CalendarDay(iso: "2024-10-15")))
            await pool.close()
        }
    }

    @Test func loadingAYearReplacesItAndNeedsTheOwner() async throws {
        try await TestDatabase.with { db in
            let owner = ConnectionPool(configuration: db.owner, options: .init(maximumConnections: 1))
            let store = PostgresCalendarStore(pool: owner)
            let draft = try HolidaySchedule.parse(csv: "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n")
            try await store.load(draft, source: "draft-2027.csv")
            let corrected = try HolidaySchedule.parse(csv: "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n2027-02-14,workday,春节调休\n")
            try await store.load(corrected, source: "holidays-cn-2027.csv")
            let loaded = try await store.schedules().first { $0.year == 2027 }
            #expect(loaded?.entries.map(\.day.description) == ["2027-01-01", "2027-02-06", "2027-02-14"])
            #expect(try await owner.query("SELECT source FROM calendar_years WHERE year = 2027")[0].decode(at: 0) as String == "holidays-cn-2027.csv")
            // A make-up working day must fall on a weekend: 2027-02-15 is a Monday. The parser
            // refuses it; a schedule built in code is still stopped by the database.
            let bogus = HolidaySchedule(year: 2027, entries: [.init(day: try CalendarDay(iso: "2027-02-15"), kind: .workday, name: "错误")])
            let error = await #expect(throws: PostgresError.self) { try await store.load(bogus, source: "bogus.csv") }
            #expect(error?.constraint == "calendar_days_workday_on_weekend")
            // The failed load changed nothing.
            #expect(try await store.schedules().first { $0.year == 2027 }?.entries.count == 3)
            // The server's role may read the calendar but not load one.
            let app = ConnectionPool(configuration: db.application, options: .init(maximumConnections: 1))
            let denied = await #expect(throws: PostgresError.self) { try await PostgresCalendarStore(pool: app).load(corrected, source: "x") }
            #expect(denied?.code == .insufficientPrivilege)
            await app.close()
            await owner.close()
        }
    }
}
