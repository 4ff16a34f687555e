import Foundation

/// 执法案件: one act of enforcement under a power-list item, step by step. A pure state
/// machine: `applying(_:at:)` takes an event and "now" and returns the case after it, or
/// throws naming what stops it (the officer who lacks authority, the step still waiting
/// for a confirmation, the review missing). The use case gathers the facts it needs (each
/// officer's authority at this moment) and the store keeps the result.
public struct EnforcementCase: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case open
        case closed
    }

    /// An officer named for a step, and when they confirmed their part (nil: pending).
    public struct Participant: Sendable, Equatable, Codable {
        public var officerID: UUID
        public var credentialNumber: String
        public var confirmedAt: Date?
    }

    /// One step as taken.
    public struct StepRecord: Sendable, Equatable, Codable {
        public var step: CaseStep
        public var participants: [Participant]
        /// The reviewer or approver, for the steps they take.
        public var actor: UUID?
        public var takenAt: Date

        public var isComplete: Bool { participants.allSatisfy { $0.confirmedAt != nil } }
    }

    /// 法制审核 outcomes.
    public enum ReviewOutcome: String, Sendable, Codable, CaseIterable {
        case approve
        /// 退回补正: back to investigation.
        case returnForCorrection = "return"
        case reject
    }

    /// What the agency intends to decide (recorded when the party is notified): it settles
    /// whether a "conditional" item's case is major.
    public struct IntendedDecision: Sendable, Equatable {
        public var fine: Decimal?
        public var revokesRegistration: Bool

        public init(fine: Decimal?, revokesRegistration: Bool) {
            self.fine = fine
            self.revokesRegistration = revokesRegistration
        }
    }

    public struct Decision: Sendable, Equatable, Codable {
        public var documentNumber: String
        public var outcome: String
        public var legalBasis: String
        /// Yuan, exact.
        public var fine: Decimal?
        public var decidedAt: Date

        enum CodingKeys: String, CodingKey { case documentNumber, outcome, legalBasis, fine, decidedAt }

        init(documentNumber: String, outcome: String, legalBasis: String, fine: Decimal?, decidedAt: Date) {
            self.documentNumber = documentNumber
            self.outcome = outcome
            self.legalBasis = legalBasis
            self.fine = fine
            self.decidedAt = decidedAt
        }

        // The fine travels as its decimal text: a JSON number may pass through binary
        // floating point on the way.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            documentNumber = try container.decode(String.self, forKey: .documentNumber)
            outcome = try container.decode(String.self, forKey: .outcome)
            legalBasis = try container.decode(String.self, forKey: .legalBasis)
            decidedAt = try container.decode(Date.self, forKey: .decidedAt)
            if let text = try container.decodeIfPresent(String.self, forKey: .fine) {
                guard let fine = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                    throw DecodingError.dataCorruptedError(forKey: .fine, in: container, debugDescription: "not a decimal: \(text)")
                }
                self.fine = fine
            } else {
                fine = nil
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(documentNumber, forKey: .documentNumber)
            try container.encode(outcome, forKey: .outcome)
            try container.encode(legalBasis, forKey: .legalBasis)
            try container.encode(decidedAt, forKey: .decidedAt)
            try container.encodeIfPresent(fine.map(\.description), forKey: .fine)
        }
    }

    public enum Event: Sendable, Equatable {
        /// An enforcement step by these officers; the initiator confirms at once.
        case take(CaseStep, officers: [UUID], initiator: UUID, intended: IntendedDecision? = nil)
        /// An officer named in the latest step confirms their part.
        case confirm(officer: UUID)
        /// `reviewer` is compared with the officers who took part: the use case passes the
        /// reviewer's officer id when they have one (a legal counsel may have none).
        case review(ReviewOutcome, reviewer: UUID)
        case approve(approver: UUID)
        case decide(documentNumber: String, outcome: String, legalBasis: String, fine: Decimal?)
        case close(officer: UUID)
        /// 回避: the officer withdraws from the case (art. 43).
        case recuse(officer: UUID)
        /// Findings of the inspection (or re-inspection) just completed, each with its
        /// rectification order; by one of its officers.
        case findings([Finding], officer: UUID)
        /// The re-inspection just completed verified these findings rectified.
        case verify([UUID], officer: UUID)
        /// The daily sweep marks findings overdue on this day.
        case markOverdue(on: CalendarDay)
    }

    public var id: UUID
    public var kind: CaseKind
    public var item: PowerItem
    public var itemVersion: Int
    public var partyID: UUID
    public var area: DivisionCode
    public var status: Status
    public var openedOn: CalendarDay?
    /// Penalty cases: the last day for the decision (行政处罚法 art. 60; the agency's
    /// `case.penalty_decision_days` from opening).
    public var decisionDue: CalendarDay?
    /// Nil while a "conditional" item's case waits for its intended decision.
    public var major: Bool?
    public var history: [StepRecord]
    public var recused: Set<UUID>
    public var reviewOutcome: ReviewOutcome?
    public var approvedBy: UUID?
    public var decision: Decision?
    public var findings: [Finding] = []

    /// A new case under `item` of `itemVersion`, not yet opened (the first event opens it).
    public init(id: UUID, item: PowerItem, itemVersion: Int, partyID: UUID, area: DivisionCode) {
        self.id = id
        self.kind = CaseKind(item.category)
        self.item = item
        self.itemVersion = itemVersion
        self.partyID = partyID
        self.area = area
        self.status = .open
        self.openedOn = nil
        self.major = item.major == .conditional ? (kind == .penalty ? nil : true) : item.major == .yes
        self.history = []
        self.recused = []
    }

    /// The step the case waits for, given what has been taken.
    public var nextStep: CaseStep? {
        guard status == .open else { return nil }
        // An inspection with findings not yet verified waits for a re-inspection.
        if kind == .inspection, [.inspect, .reinspect].contains(history.last?.step), findings.contains(where: { $0.verifiedOn == nil }) {
            return .reinspect
        }
        let steps = kind.steps(major: major ?? true)
        // A re-inspection stands where the inspection does in the order of steps.
        guard let last = history.last.map({ $0.step == .reinspect ? CaseStep.inspect : $0.step }), let index = steps.firstIndex(of: last) else {
            return steps.first
        }
        return index + 1 < steps.count ? steps[index + 1] : nil
    }

    /// Every officer who has taken part in any step (none of them may review the case).
    public var participants: Set<UUID> { Set(history.flatMap { $0.participants.map(\.officerID) }) }
}
