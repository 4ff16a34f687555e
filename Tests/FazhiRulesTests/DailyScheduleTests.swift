import FazhiRules
import Foundation
import Testing

/// The daily jobs' schedule in China Standard Time, checked minute by minute.
@Suite struct DailyScheduleTests {
    /// 2026-12-07 00:00 China Standard Time.
    static let midnight = Date(timeIntervalSince1970: 1_796_572_800)

    @Test func theDueDayTurnsAtTheScheduledMinuteAndNextIsTheFollowingOne() throws {
        let today = try CalendarDay(iso: "2026-12-07")
        for scheduled in stride(from: 0, to: 1_440, by: 7) {
            let schedule = try DailySchedule(minuteOfDay: scheduled)
            for minute in 0..<1_440 {
                let now = Self.midnight.addingTimeInterval(TimeInterval(minute * 60 + 30))
                let due = schedule.dueDay(at: now)
                #expect(due == (minute >= scheduled ? today : today.adding(days: -1)), "scheduled \(scheduled), now minute \(minute)")
                let next = schedule.next(after: now)
                #expect(next > now && next.timeIntervalSince(now) <= 86_400)
                #expect(schedule.dueDay(at: next) == due.adding(days: 1), "at the next instant the next day is due")
                #expect(schedule.dueDay(at: next.addingTimeInterval(-1)) == due, "and not a second before")
            }
        }
    }

    @Test func chinaStandardTimeIsUTCPlusEight() throws {
        let schedule = try DailySchedule(timeOfDay: "02:00")
        // 2026-12-06 18:00 UTC is 02:00 on the 7th in Beijing.
        let utcEvening = Date(timeIntervalSince1970: 1_796_580_000)
        #expect(schedule.dueDay(at: utcEvening) == (try CalendarDay(iso: "2026-12-07")))
        #expect(schedule.dueDay(at: utcEvening.addingTimeInterval(-1)) == (try CalendarDay(iso: "2026-12-06")))
        #expect(schedule.next(after: utcEvening) == utcEvening.addingTimeInterval(86_400))
        // Before 1970 the day still turns at the same minute.
        let old = try CalendarDay(iso: "1969-12-31")
        #expect(schedule.dueDay(at: Date(timeIntervalSince1970: -8 * 3_600 - 86_400 + 2 * 3_600)) == old)
    }

    @Test func timesOfDayAreCheckedNamingTheSetting() throws {
        #expect(try DailySchedule(timeOfDay: "00:00").minuteOfDay == 0)
        #expect(try DailySchedule(timeOfDay: "23:59").minuteOfDay == 1_439)
        for bad in ["24:00", "2:00", "02:60", "0200", "02:00:00", "", "-1:00", "０２:００", "02:0a", "99999999999999999999:00"] {
            let error = #expect(throws: DomainError.self, "\(bad)") { try DailySchedule(timeOfDay: bad) }
            #expect(error?.metadata["field"] == "jobs.daily_at")
        }
        #expect(throws: DomainError.self) { try DailySchedule(minuteOfDay: 1_440) }
        #expect(throws: DomainError.self) { try DailySchedule(minuteOfDay: -1) }
    }
}
