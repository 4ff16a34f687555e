import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import SwiftProtobuf

public func missing(_ field: String, zh: String) -> DomainError {
    DomainError.missingField(field, label: zh)
}

/// A UUID field of a request, or INVALID_ARGUMENT naming it.
public func identifier(_ text: String, field: String, zh: String) throws -> UUID {
    guard !text.isEmpty else { throw missing(field, zh: zh) }
    guard let id = UUID(uuidString: text) else {
        throw DomainError.identifierInvalid(field: field, label: zh)
    }
    return id
}

/// A YYYY-MM-DD field of a request within `CalendarDay.acceptedYears`, or INVALID_ARGUMENT naming it.
public func calendarDay(_ text: String, field: String, zh: String) throws -> CalendarDay {
    guard !text.isEmpty else { throw missing(field, zh: zh) }
    guard let day = try? CalendarDay(iso: text) else {
        throw DomainError.dayUnreadable(field: field, label: zh)
    }
    let years = CalendarDay.acceptedYears
    guard years.contains(day.year) else {
        throw DomainError.dayOutOfRange(field: field, label: zh, years: years)
    }
    return day
}
