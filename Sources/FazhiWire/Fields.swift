import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import SwiftProtobuf

public func missing(_ field: String, zh: String) -> DomainError {
    DomainError.invalidArgument(field: field, zh: "缺少\(zh)（\(field)）", en: "\(field) is required")
}

/// A UUID field of a request, or INVALID_ARGUMENT naming it.
public func identifier(_ text: String, field: String, zh: String) throws -> UUID {
    guard !text.isEmpty else { throw missing(field, zh: zh) }
    guard let id = UUID(uuidString: text) else {
        throw DomainError.invalidArgument(field: field, zh: "\(zh)格式无效", en: "\(field) is not a valid id")
    }
    return id
}

/// A YYYY-MM-DD field of a request within `CalendarDay.acceptedYears`, or INVALID_ARGUMENT naming it.
public func calendarDay(_ text: String, field: String, zh: String) throws -> CalendarDay {
    guard !text.isEmpty else { throw missing(field, zh: zh) }
    guard let day = try? CalendarDay(iso: text) else {
        throw DomainError.invalidArgument(field: field, zh: "\(zh)须为 YYYY-MM-DD 格式的日期", en: "\(field) must be a date as YYYY-MM-DD")
    }
    let years = CalendarDay.acceptedYears
    guard years.contains(day.year) else {
        throw DomainError.invalidArgument(
            field: field, zh: "\(zh)须在 \(years.lowerBound) 年至 \(years.upperBound) 年之间",
            en: "\(field) must be a day from \(years.lowerBound) to \(years.upperBound)")
    }
    return day
}
