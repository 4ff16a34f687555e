import Foundation

/// 行政执法证: an enforcement credential and its whole life.
///
/// A pure state machine: `applying(_:by:reason:at:rules:)` takes an event and "now" and
/// returns the credential after it, or throws saying why the event does not apply. Every
/// transition is kept, with its reason, actor and time.
public struct Credential: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        /// 申领: applied for, awaiting a decision.
        case applied
        /// 不予发证: refused. Final.
        case rejected
        /// 有效: issued and in force.
        case active
        /// 暂扣: suspended; reinstating makes it active again.
        case suspended
        /// 注销/吊销: revoked. Final.
        case revoked
        /// 过期: the term ended. Final; afterwards only a new application.
        case expired
        /// 换发/补发: replaced by a new credential under a new number. Final.
        case superseded

        public var isFinal: Bool { [.rejected, .revoked, .expired, .superseded].contains(self) }
    }

    /// A qualification exam result 资格考试.
    public struct ExamResult: Sendable, Equatable {
        public var day: CalendarDay
        public var score: Int

        public init(day: CalendarDay, score: Int) {
            self.day = day
            self.score = score
        }
    }

    /// 年度审验: the review of one year.
    public struct Review: Sendable, Equatable {
        public enum Outcome: String, Sendable, CaseIterable {
            case passed
            case failedSuspend = "failed_suspend"
            case failedRevoke = "failed_revoke"
        }
        public var year: Int
        public var trainingHours: Int
        public var outcome: Outcome
        public var reviewer: String
        public var recordedOn: CalendarDay

        public init(year: Int, trainingHours: Int, outcome: Outcome, reviewer: String, recordedOn: CalendarDay) {
            self.year = year
            self.trainingHours = trainingHours
            self.outcome = outcome
            self.reviewer = reviewer
            self.recordedOn = recordedOn
        }
    }

    public enum Event: Sendable, Equatable {
        /// Approve the application and issue under `number` (the store draws it).
        case issue(number: String)
        case reject
        case suspend
        case reinstate
        case revoke
        /// The term ended (the sweep sends this on the first day after it).
        case expire
        /// 换发 before the term ends, or 补发 when lost or damaged: this credential ends,
        /// its successor carries `successor`.
        case supersede(successor: String, replacement: Bool)
        /// Record a year's review; a failed one also suspends or revokes.
        case review(Review)

        public var name: String {
            switch self {
            case .issue: "issue"
            case .reject: "reject"
            case .suspend: "suspend"
            case .reinstate: "reinstate"
            case .revoke: "revoke"
            case .expire: "expire"
            case .supersede(_, let replacement): replacement ? "replace" : "renew"
            case .review: "review"
            }
        }
    }

    /// One change, kept forever.
    public struct Transition: Sendable, Equatable {
        public var from: State
        public var to: State
        public var event: String
        public var reason: String
        public var actor: String
        public var at: Date

        public init(from: State, to: State, event: String, reason: String, actor: String, at: Date) {
            self.from = from
            self.to = to
            self.event = event
            self.reason = reason
            self.actor = actor
            self.at = at
        }
    }

    public var id: UUID
    public var officerID: UUID
    public var number: String?
    public var state: State
    public var categories: Set<String>
    public var areas: [DivisionCode]
    public var exam: ExamResult
    public var validFrom: CalendarDay?
    public var validUntil: CalendarDay?
    public var reviews: [Int: Review]
    public var successor: String?
    public var history: [Transition]

    /// A credential as stored (the store's constructor; new ones come from `apply`).
    public init(
        id: UUID, officerID: UUID, number: String?, state: State, categories: Set<String>, areas: [DivisionCode], exam: ExamResult,
        validFrom: CalendarDay?, validUntil: CalendarDay?, reviews: [Int: Review], successor: String?, history: [Transition]
    ) {
        self.id = id
        self.officerID = officerID
        self.number = number
        self.state = state
        self.categories = categories
        self.areas = areas
        self.exam = exam
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.reviews = reviews
        self.successor = successor
        self.history = history
    }

    /// A new application: the exam must be passed and recent enough, the categories and
    /// area named.
    public static func apply(
        id: UUID, officerID: UUID, categories: Set<String>, areas: [DivisionCode], exam: ExamResult,
        by actor: String, reason: String, at now: Moment, rules: CredentialRules
    ) throws -> Credential {
        guard !categories.isEmpty else {
            throw DomainError.categoriesMissing
        }
        guard !areas.isEmpty else {
            throw DomainError.areaMissing
        }
        try Self.checkExam(exam, on: now.day, rules: rules)
        return Credential(
            id: id, officerID: officerID, number: nil, state: .applied, categories: categories, areas: areas, exam: exam,
            validFrom: nil, validUntil: nil, reviews: [:], successor: nil,
            history: [Transition(from: .applied, to: .applied, event: "apply", reason: reason, actor: actor, at: now.instant)])
    }

    public static func checkExam(_ exam: ExamResult, on day: CalendarDay, rules: CredentialRules) throws {
        guard exam.score >= rules.passMark else {
            throw DomainError.examBelowPassMark(score: exam.score, passMark: rules.passMark)
        }
        guard exam.day <= day, day <= exam.day.adding(years: rules.examValidityYears) else {
            throw DomainError.examTooOld(day: "\(exam.day)", validityYears: rules.examValidityYears)
        }
    }

    /// The credential after `event`, or an error naming the state and the event.
    public func applying(_ event: Event, by actor: String, reason: String, at now: Moment, rules: CredentialRules) throws -> Credential {
        var next = self
        let target: State
        switch (state, event) {
        case (.applied, .issue(let number)):
            try Self.checkExam(exam, on: now.day, rules: rules)
            next.number = number
            next.validFrom = now.day
            next.validUntil = rules.termEnd(startingOn: now.day)
            target = .active
        case (.applied, .reject):
            target = .rejected
        case (.active, .suspend):
            target = .suspended
        case (.suspended, .reinstate):
            if let validUntil, now.day > validUntil {
                throw refused(event, .termEndedNoReinstatement(validUntil: "\(validUntil)"))
            }
            if let missing = missingReview(on: now.day, rules: rules) {
                throw refused(event, .reviewMissing(year: missing))
            }
            target = .active
        case (.active, .revoke), (.suspended, .revoke):
            target = .revoked
        case (.active, .expire), (.suspended, .expire):
            guard let validUntil, now.day > validUntil else {
                throw refused(event, .termNotEnded)
            }
            target = .expired
        case (.active, .supersede(let successor, let replacement)):
            if !replacement, let validUntil, now.day > validUntil {
                throw refused(event, .termEndedApplyAgain)
            }
            next.successor = successor
            target = .superseded
        case (.active, .review(let review)), (.suspended, .review(let review)):
            guard let validFrom, review.year >= validFrom.year, review.year < now.day.year else {
                throw refused(event, .reviewYearNotFinished)
            }
            guard reviews[review.year] == nil else {
                throw refused(event, .yearAlreadyReviewed(review.year))
            }
            if review.outcome == .passed, review.trainingHours < rules.trainingHoursThreshold {
                throw refused(event, .trainingHoursShort(hours: review.trainingHours, threshold: rules.trainingHoursThreshold))
            }
            next.reviews[review.year] = review
            switch review.outcome {
            case .passed: target = state
            case .failedSuspend: target = .suspended
            case .failedRevoke: target = .revoked
            }
        default:
            throw refused(event, .notInThisState)
        }
        next.state = target
        next.history.append(Transition(from: state, to: target, event: event.name, reason: reason, actor: actor, at: now.instant))
        return next
    }

    func refused(_ event: Event, _ refusal: CredentialRefusal) -> DomainError {
        refusal.error(state: state.rawValue, event: event.name)
    }

    /// The previous year whose review is overdue on `day`, if any: a credential in force
    /// during that year must be reviewed by the deadline in the following year.
    public func overdueReview(on day: CalendarDay, rules: CredentialRules) -> Int? {
        guard let missing = missingReview(on: day, rules: rules), day > rules.reviewDeadline(in: missing + 1) else { return nil }
        return missing
    }

    /// The latest finished year of the term without a review, if any.
    func missingReview(on day: CalendarDay, rules: CredentialRules) -> Int? {
        guard let validFrom else { return nil }
        let previous = day.year - 1
        guard previous >= validFrom.year, reviews[previous] == nil else { return nil }
        return previous
    }

    /// What the daily sweep does to this credential on `day`: expire it after its term,
    /// suspend it when a review is overdue, or nothing. Running it twice changes nothing
    /// the second time.
    public func sweep(on day: CalendarDay, rules: CredentialRules) -> Event? {
        guard state == .active || state == .suspended else { return nil }
        if let validUntil, day > validUntil { return .expire }
        if state == .active, overdueReview(on: day, rules: rules) != nil { return .suspend }
        return nil
    }
}
