import Foundation

/// Times as the bureau's people read them: China Standard Time (UTC+8, no daylight saving
/// since 1991), to the second or the minute, and RFC 3339 with the offset for programs.
/// Computed by hand from the offset rather than through a formatter: no tz database
/// needed, no locale, and the same answer on every machine.
public enum BeijingTime {
    public static let offsetSeconds = 8 * 3_600

    /// "2023-11-22 17:30:05".
    public static func second(_ date: Date) -> String {
        let (day, hour, minute, second) = parts(date)
        return "\(day) \(two(hour)):\(two(minute)):\(two(second))"
    }

    /// "2023-11-22 17:30".
    public static func minute(_ date: Date) -> String {
        let (day, hour, minute, _) = parts(date)
        return "\(day) \(two(hour)):\(two(minute))"
    }

    /// "2023-11-22 17:30:05（北京时间）": where a reader might take it for another zone.
    public static func secondWithZone(_ date: Date) -> String { "\(second(date))（北京时间）" }

    /// The calendar day of `date` in Beijing.
    public static func day(_ date: Date) -> CalendarDay { parts(date).day }

    /// "2023-11-22T17:30:05+08:00".
    public static func rfc3339(_ date: Date) -> String {
        let (day, hour, minute, second) = parts(date)
        return "\(day)T\(two(hour)):\(two(minute)):\(two(second))+08:00"
    }

    private static func parts(_ date: Date) -> (day: CalendarDay, hour: Int, minute: Int, second: Int) {
        // Whole seconds, rounded down, so 23:59:59.9 stays on its day; clamped to years
        // 1 to 9999 so no value can trap the conversion.
        let seconds = date.timeIntervalSince1970
        let bounded = seconds.isFinite ? min(max(seconds, -62_135_596_800), 253_402_300_799) : 0
        let local = Int64(bounded.rounded(.down)) + Int64(offsetSeconds)
        let (days, secondOfDay) = local.quotientAndRemainderFlooring(dividingBy: 86_400)
        return (
            CalendarDay(daysSinceUnixEpoch: Int(days)), Int(secondOfDay / 3_600), Int(secondOfDay % 3_600 / 60), Int(secondOfDay % 60)
        )
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension Int64 {
    /// Division rounding towards minus infinity, with a remainder that is never negative.
    fileprivate func quotientAndRemainderFlooring(dividingBy divisor: Int64) -> (Int64, Int64) {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
