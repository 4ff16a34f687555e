/// A day of the proleptic Gregorian calendar with no time of day and no time zone.
///
/// Deadlines in administrative law are counted in days, not instants, so they must
/// never drift when a server or client changes time zone.
public struct CalendarDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public enum InvalidDay: Error, Equatable, CustomStringConvertible {
        case outOfRange(year: Int, month: Int, day: Int)
        case malformed(String)

        public var description: String {
            switch self {
            case .outOfRange(let year, let month, let day):
                return "日期不存在 / no such day: \(year)-\(month)-\(day)"
            case .malformed(let text):
                return "日期格式应为 YYYY-MM-DD / a day is written YYYY-MM-DD, got \"\(text)\""
            }
        }
    }

    public init(year: Int, month: Int, day: Int) throws {
        guard (1...12).contains(month), day >= 1,
            day <= CalendarDay.daysIn(month: month, year: year),
            (-4713...294_276).contains(year)
        else { throw InvalidDay.outOfRange(year: year, month: month, day: day) }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The days Fazhi accepts from outside (requests, portal queries, files): enough for the
    /// birth years in identity numbers and for credentials valid decades ahead, and small
    /// enough that no date arithmetic the rules do (terms of years, working days) can leave
    /// the range PostgreSQL and the calendar functions handle.
    public static let acceptedYears: ClosedRange<Int> = 1900...2099

    /// Parses `YYYY-MM-DD` exactly, a day within `acceptedYears`.
    public init(accepting text: some StringProtocol) throws {
        try self.init(iso: text)
        guard Self.acceptedYears.contains(year) else { throw InvalidDay.outOfRange(year: year, month: month, day: day) }
    }

    /// Parses `YYYY-MM-DD` exactly.
    public init(iso text: some StringProtocol) throws {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { throw InvalidDay.malformed(String(text)) }
        try self.init(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 (negative before it).
    public init(daysSinceUnixEpoch days: Int) {
        // Inverse of `daysSinceUnixEpoch` (civil-from-days over 400-year eras).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        self.year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = day
    }

    public var daysSinceUnixEpoch: Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        let offset = (daysSinceUnixEpoch + 3) % 7
        return (offset < 0 ? offset + 7 : offset) + 1
    }

    public var isWeekend: Bool { isoWeekday >= 6 }

    public func adding(days: Int) -> CalendarDay {
        CalendarDay(daysSinceUnixEpoch: daysSinceUnixEpoch + days)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        let yearText = year >= 0 ? String(year) : "-" + String(-year)
        let padded = String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
        return padded + "-" + (month < 10 ? "0" : "") + String(month) + "-" + (day < 10 ? "0" : "") + String(day)
    }
}

/// As its ISO text (`2026-03-02`).
extension CalendarDay: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(iso: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
