import Foundation

/// The configurable numbers in force for one agency: platform defaults with the agency's
/// overrides applied. Code asks for a key; it never holds the number itself.
public struct AgencySettings: Sendable, Equatable {
    public var values: [String: String]

    public init(values: [String: String]) { self.values = values }

    public func integer(_ key: String) throws -> Int {
        guard let text = values[key], let value = Int(text) else { throw missing(key) }
        return value
    }

    public func boolean(_ key: String) throws -> Bool {
        guard let text = values[key], let value = Bool(text) else { throw missing(key) }
        return value
    }

    public func decimal(_ key: String) throws -> Decimal {
        guard let text = values[key], let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { throw missing(key) }
        return value
    }

    public func text(_ key: String) throws -> String {
        guard let text = values[key] else { throw missing(key) }
        return text
    }

    /// A `month_day` setting ("01-31") as that day of `year` (29 February becomes the 28th
    /// in a common year).
    public func day(_ key: String, in year: Int) throws -> CalendarDay {
        let parts = (values[key] ?? "").split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2 else { throw missing(key) }
        return try (try? CalendarDay(year: year, month: parts[0], day: parts[1])) ?? CalendarDay(year: year, month: parts[0], day: parts[1] - 1)
    }

    public func minutes(_ key: String) throws -> TimeInterval { TimeInterval(try integer(key)) * 60 }

    private func missing(_ key: String) -> SettingMissing { SettingMissing(key: key) }
}

/// A setting the code needs has no usable value: a deployment fault (a migration not
/// applied), not the caller's.
public struct SettingMissing: Error, CustomStringConvertible {
    public let key: String
    public var description: String { "setting \(key) has no usable value; are all migrations applied?" }
}
