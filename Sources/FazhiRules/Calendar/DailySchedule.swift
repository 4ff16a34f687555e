import Foundation

/// A job that runs once a day at a time of day in China Standard Time (UTC+8 all year: China
/// keeps no daylight saving time). Pure: the caller passes "now".
public struct DailySchedule: Sendable, Equatable {
    /// Minutes after midnight, China Standard Time.
    public let minuteOfDay: Int

    private static let offsetSeconds = 8 * 3_600

    public init(minuteOfDay: Int) throws {
        guard (0..<1_440).contains(minuteOfDay) else {
            throw DomainError.dailyTimeOutOfRange
        }
        self.minuteOfDay = minuteOfDay
    }

    /// "HH:MM", 24-hour clock.
    public init(timeOfDay text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }), let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0..<24).contains(hour), (0..<60).contains(minute)
        else {
            throw DomainError.dailyTimeUnreadable
        }
        try self.init(minuteOfDay: hour * 60 + minute)
    }

    /// The day whose run is due at `now`: today (China Standard Time) once its time has
    /// come, else yesterday. A server that was down at the time catches up with this day.
    public func dueDay(at now: Date) -> CalendarDay {
        let local = Int(now.timeIntervalSince1970.rounded(.down)) + Self.offsetSeconds
        let (days, seconds) = local.floorDivided(by: 86_400)
        return CalendarDay(daysSinceUnixEpoch: seconds >= minuteOfDay * 60 ? days : days - 1)
    }

    /// The first scheduled instant strictly after `now`.
    public func next(after now: Date) -> Date {
        let day = dueDay(at: now).adding(days: 1)
        return Date(timeIntervalSince1970: TimeInterval(day.daysSinceUnixEpoch * 86_400 + minuteOfDay * 60 - Self.offsetSeconds))
    }
}

extension Int {
    /// Quotient and remainder rounded towards negative infinity (instants before 1970).
    fileprivate func floorDivided(by divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = ((self % divisor) + divisor) % divisor
        return ((self - remainder) / divisor, remainder)
    }
}
