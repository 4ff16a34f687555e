import FazhiRules
import Testing

@Suite struct CalendarDayTests {
    @Test func epochArithmeticRoundTripsOverCenturies() throws {
        // Every day from 1600 to 2400: day numbers are consecutive and invert exactly.
        var day = try CalendarDay(year: 1600, month: 1, day: 1)
        let end = try CalendarDay(year: 2400, month: 12, day: 31)
        var number = day.daysSinceUnixEpoch
        while day <= end {
            #expect(CalendarDay(daysSinceUnixEpoch: number) == day)
            number += 1
            day = day.adding(days: 1)
            #expect(day.daysSinceUnixEpoch == number)
        }
        #expect(try CalendarDay(iso: "1970-01-01").daysSinceUnixEpoch == 0)
        #expect(try CalendarDay(iso: "2000-01-01").daysSinceUnixEpoch == 10_957)
    }

    @Test func weekdaysAndValidation() throws {
        #expect(try CalendarDay(iso: "2023-12-04").isoWeekday == 1)  // Constitution Day 2023, a Monday
        #expect(try CalendarDay(iso: "2026-11-29").isoWeekday == 7)
        #expect(throws: CalendarDay.InvalidDay.self) { try CalendarDay(iso: "2023-02-29") }
        #expect(throws: CalendarDay.InvalidDay.self) { try CalendarDay(iso: "2023-13-01") }
        #expect(throws: CalendarDay.InvalidDay.self) { try CalendarDay(iso: "2023-1-1") }
        #expect(try CalendarDay(iso: "2024-02-29").description == "2024-02-29")
    }
}

@Suite struct HolidayScheduleTests {
    static let sample2023 = """
        date,kind,name
        2022-12-31,holiday,元旦
        2023-01-01,holiday,元旦
        2023-01-02,holiday,元旦
        2023-01-21,holiday,春节
        2023-01-22,holiday,春节
        2023-01-23,holiday,春节
        2023-01-24,holiday,春节
        2023-01-25,holiday,春节
        2023-01-26,holiday,春节
        2023-01-27,holiday,春节
        2023-01-28,workday,春节调休
        2023-01-29,workday,春节调休
        """

    @Test func parsesTheOfficialShape() throws {
        let schedule = try HolidaySchedule.parse(csv: Self.sample2023)
        #expect(schedule.year == 2023)
        #expect(schedule.entries.count == 12)
        #expect(schedule.entries.filter { $0.kind == .workday }.map(\.day.description) == ["2023-01-28", "2023-01-29"])
    }

    @Test func namesTheBadLine() throws {
        let newYear = try CalendarDay(iso: "2023-01-01")
        let bad = "date,kind,name\n2023-01-01,holiday,元旦\n2023-01-02,vacation,元旦\n"
        #expect(throws: HolidaySchedule.ParseError.badLine(number: 3, reason: "类型应为 holiday 或 workday / kind must be holiday or workday")) {
            try HolidaySchedule.parse(csv: bad)
        }
        #expect(throws: HolidaySchedule.ParseError.self) { try HolidaySchedule.parse(csv: "day,kind\n") }
        // 2027-02-08 is a Monday: it cannot be a make-up working day.
        #expect(throws: HolidaySchedule.ParseError.self) {
            try HolidaySchedule.parse(csv: "date,kind,name\n2027-02-08,workday,春节调休\n")
        }
        #expect(throws: HolidaySchedule.ParseError.duplicateDay(number: 3, day: newYear)) {
            try HolidaySchedule.parse(csv: "date,kind,name\n2023-01-01,holiday,a\n2023-01-01,holiday,b\n")
        }
    }

    @Test func workingDaysSkipHolidaysAndCountMakeUpDays() throws {
        let calendar = WorkingDayCalendar(schedules: [try HolidaySchedule.parse(csv: Self.sample2023)])
        // Decided Friday 2023-01-20: the Spring Festival week is skipped, and the make-up
        // Saturday and Sunday (28th, 29th) count. 7 working days: 28, 29, 30, 31, 1 Feb, 2, 3.
        let answer = calendar.addingWorkingDays(7, after: try CalendarDay(iso: "2023-01-20"))
        #expect(answer.day == (try CalendarDay(iso: "2023-02-03")))
        #expect(!answer.provisional)
        // The period starts the day after the event: zero days is the event's day itself.
        #expect(calendar.addingWorkingDays(0, after: try CalendarDay(iso: "2023-01-20")).day == (try CalendarDay(iso: "2023-01-20")))
    }

    @Test func uncoveredYearsAreProvisionalWeekdayArithmetic() throws {
        let calendar = WorkingDayCalendar(schedules: [try HolidaySchedule.parse(csv: Self.sample2023)])
        // 2030-01-01 is a Tuesday; 3 working days after it by weekday alone is Friday the 4th.
        let answer = calendar.addingWorkingDays(3, after: try CalendarDay(iso: "2030-01-01"))
        #expect(answer.day == (try CalendarDay(iso: "2030-01-04")))
        #expect(answer.provisional)
    }
}
