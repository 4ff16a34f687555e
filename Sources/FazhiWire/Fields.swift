import FazhiRules
import Foundation

/// A request's fields as the adapters read them: present, and of the right form, or
/// INVALID_ARGUMENT naming the field (`label` its Chinese name, for the message).
public enum RequestField {
    /// The error for a required field left empty.
    public static func missing(_ field: String, zh label: String) -> DomainError {
        DomainError.missingField(field, label: label)
    }

    /// A UUID field of a request.
    public static func identifier(_ text: String, field: String, zh label: String) throws -> UUID {
        guard !text.isEmpty else { throw missing(field, zh: label) }
        guard let id = UUID(uuidString: text) else { throw DomainError.identifierInvalid(field: field, label: label) }
        return id
    }

    /// A YYYY-MM-DD field of a request within `CalendarDay.acceptedYears`.
    public static func calendarDay(_ text: String, field: String, zh label: String) throws -> CalendarDay {
        guard !text.isEmpty else { throw missing(field, zh: label) }
        guard let day = try? CalendarDay(iso: text) else { throw DomainError.dayUnreadable(field: field, label: label) }
        let years = CalendarDay.acceptedYears
        guard years.contains(day.year) else { throw DomainError.dayOutOfRange(field: field, label: label, years: years) }
        return day
    }
}
