import Foundation

/// "Now", as every rule takes it: the instant (for the record) and the calendar day it
/// falls on in the agency's time zone (for terms, deadlines and reviews).
public struct Moment: Sendable, Equatable {
    public let instant: Date
    public let day: CalendarDay

    public init(instant: Date, day: CalendarDay) {
        self.instant = instant
        self.day = day
    }

    /// The day of `instant` in `timeZone` (China Standard Time for the bureau).
    public init(instant: Date, timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        self.init(instant: instant, day: try! CalendarDay(year: parts.year!, month: parts.month!, day: parts.day!))
    }
}
