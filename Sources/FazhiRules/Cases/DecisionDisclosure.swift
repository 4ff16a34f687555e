import Foundation

/// 事后公开: a decision the item says to publish, queued with the day it is due (the item's
/// working days after the decision, on the national calendar). The disclosure publisher
/// redacts and publishes it.
public struct DecisionDisclosure: Sendable, Equatable, Codable {
    public var caseID: UUID
    public var documentNumber: String
    public var itemCode: String
    public var decidedOn: CalendarDay
    public var due: CalendarDay
    /// The due day was counted across a year whose calendar is not loaded yet.
    public var provisional: Bool

    /// The disclosure `kase`'s decision calls for, or nil (no decision, or an item whose
    /// decisions are not published).
    public static func of(_ kase: EnforcementCase, on day: CalendarDay, calendar: WorkingDayCalendar) -> DecisionDisclosure? {
        guard let decision = kase.decision, kase.item.published, let days = kase.item.disclosureWorkingDays else { return nil }
        let due = calendar.addingWorkingDays(days, after: day)
        return DecisionDisclosure(
            caseID: kase.id, documentNumber: decision.documentNumber, itemCode: kase.item.code, decidedOn: day,
            due: due.day, provisional: due.provisional)
    }
}
