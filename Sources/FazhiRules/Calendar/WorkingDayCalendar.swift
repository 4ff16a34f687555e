/// Working-day arithmetic over the national calendar.
///
/// 行政处罚法 art. 85 counts its short periods in working days; 民法典 art. 201 starts a
/// period on the day after the event. A day in a year whose schedule is not loaded is
/// judged by weekday alone and the answer is marked provisional, so it can be recomputed
/// once that year's schedule arrives.
public struct WorkingDayCalendar: Sendable {
    public struct Answer: Equatable, Sendable {
        public let day: CalendarDay
        /// True when some day counted lies in a year with no loaded schedule.
        public let provisional: Bool
    }

    private let holidays: Set<CalendarDay>
    private let workdays: Set<CalendarDay>
    public let coveredYears: Set<Int>

    public init(schedules: [HolidaySchedule]) {
        var holidays: Set<CalendarDay> = []
        var workdays: Set<CalendarDay> = []
        for entry in schedules.flatMap(\.entries) {
            switch entry.kind {
            case .holiday: holidays.insert(entry.day)
            case .workday: workdays.insert(entry.day)
            }
        }
        self.init(holidays: holidays, workdays: workdays, coveredYears: Set(schedules.map(\.year)))
    }

    public init(holidays: Set<CalendarDay>, workdays: Set<CalendarDay>, coveredYears: Set<Int>) {
        self.holidays = holidays
        self.workdays = workdays
        self.coveredYears = coveredYears
    }

    public func isCovered(_ day: CalendarDay) -> Bool { coveredYears.contains(day.year) }

    public func isWorkingDay(_ day: CalendarDay) -> Bool {
        if workdays.contains(day) { return true }
        if holidays.contains(day) { return false }
        return !day.isWeekend
    }

    /// The day on which a period of `count` working days that starts after `event` ends.
    public func addingWorkingDays(_ count: Int, after event: CalendarDay) -> Answer {
        precondition(count >= 0, "a period cannot be negative")
        var day = event
        var remaining = count
        var provisional = false
        while remaining > 0 {
            day = day.adding(days: 1)
            if !isCovered(day) { provisional = true }
            if isWorkingDay(day) { remaining -= 1 }
        }
        return Answer(day: day, provisional: provisional)
    }
}
