/// The agency's configurable numbers for credentials (settings `exam.pass_mark`,
/// `exam.validity_years`, `credential.term_years`, `credential.review_deadline`,
/// `credential.training_hours_threshold`).
public struct CredentialRules: Sendable, Equatable {
    public var passMark: Int
    public var examValidityYears: Int
    public var termYears: Int
    /// Month and day by which the previous year's review must be recorded.
    public var reviewDeadlineMonth: Int
    public var reviewDeadlineDay: Int
    public var trainingHoursThreshold: Int

    public init(passMark: Int, examValidityYears: Int, termYears: Int, reviewDeadlineMonth: Int, reviewDeadlineDay: Int, trainingHoursThreshold: Int)
    {
        self.passMark = passMark
        self.examValidityYears = examValidityYears
        self.termYears = termYears
        self.reviewDeadlineMonth = reviewDeadlineMonth
        self.reviewDeadlineDay = reviewDeadlineDay
        self.trainingHoursThreshold = trainingHoursThreshold
    }

    public init(settings: AgencySettings) throws {
        guard let deadline = settings.values["credential.review_deadline"] else { throw SettingMissing(key: "credential.review_deadline") }
        let parts = deadline.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2 else { throw SettingMissing(key: "credential.review_deadline") }
        self.init(
            passMark: try settings.integer("exam.pass_mark"), examValidityYears: try settings.integer("exam.validity_years"),
            termYears: try settings.integer("credential.term_years"), reviewDeadlineMonth: parts[0], reviewDeadlineDay: parts[1],
            trainingHoursThreshold: try settings.integer("credential.training_hours_threshold"))
    }

    /// The last day the review for `year - 1` may be recorded, in `year`.
    public func reviewDeadline(in year: Int) -> CalendarDay {
        let day = min(reviewDeadlineDay, CalendarDay.daysIn(month: reviewDeadlineMonth, year: year))
        return try! CalendarDay(year: year, month: reviewDeadlineMonth, day: day)
    }

    /// The last day of a term that starts on `start` (a five-year term from 2023-05-10
    /// ends on 2028-05-09).
    public func termEnd(startingOn start: CalendarDay) -> CalendarDay {
        start.adding(years: termYears).adding(days: -1)
    }
}

extension CalendarDay {
    /// The same month and day `years` later (29 February becomes 28 February).
    public func adding(years: Int) -> CalendarDay {
        let target = year + years
        return try! CalendarDay(year: target, month: month, day: min(day, CalendarDay.daysIn(month: month, year: target)))
    }
}
