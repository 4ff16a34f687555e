import FazhiRules

/// Where the national calendar is kept.
public protocol CalendarStore: Sendable {
    /// Replaces the schedule of `schedule.year` with this one.
    func load(_ schedule: HolidaySchedule, source: String) async throws
    /// Every loaded schedule, for building a `WorkingDayCalendar`.
    func schedules() async throws -> [HolidaySchedule]
}
