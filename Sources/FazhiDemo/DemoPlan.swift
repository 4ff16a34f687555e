import FazhiRules
import FazhiUseCases
import Foundation

/// How much of the 2023 business the demo makes. `sample` is quick enough for the first
/// start of `fazhi dev`; `report` makes as many marriage registrations (2 529) and
/// temporary-assistance grants (306) as the bureau's 2023 report counts.
public enum DemoVolume: String, Sendable, CaseIterable {
    case sample, report
}

/// Everything the demo will do, in time order: the staff and officers it creates, the
/// parties, and each call with the simulated moment it happens at. Pure: the same seed,
/// volume, calendar and end make the same plan; `HubinDemo` carries it out through the
/// use cases.
public struct DemoPlan: Sendable {
    public struct Staff: Sendable {
        public let username: String
        public let displayName: String
        public let roles: Set<Role>
    }

    public struct OfficerProfile: Sendable {
        public let name: String
        public let unit: String
        public let position: String
        public let category: String
        public let idNumber: String
        public let username: String
    }

    struct Scheduled: Sendable {
        let at: Date
        let action: DemoAction
    }

    public let volume: DemoVolume
    public internal(set) var staff: [Staff] = []
    public internal(set) var officers: [OfficerProfile] = []
    public internal(set) var parties: [PartyWork.Input] = []
    var events: [Scheduled] = []
    /// The simulated moment the bureau starts using Fazhi: its power list is published then.
    public let start = DemoTime.instant(DemoTime.day(2018, 9, 3), 8)
    /// The simulated days on which the daily sweeps run (the demo year and the January after).
    public let sweepDays: ClosedRange<CalendarDay>

    /// The plan up to `end` (the real "now" of the load): the 2023 business, and the corps'
    /// yearly reviews and renewals from its first credentials until `end`, so the officers
    /// can still act when the demo is opened later.
    public init(seed: UInt64 = 2023, volume: DemoVolume, calendar: WorkingDayCalendar, end: Date) {
        self.volume = volume
        sweepDays = DemoTime.day(2023, 1, 1)...DemoTime.day(2024, 1, 31)
        var builder = DemoPlanBuilder(random: DemoRandom(seed: seed), calendar: calendar)
        let corps = DemoCorps.plan(&builder, through: max(2024, Moment(instant: end).day.year))
        DemoActs.plan(&builder, corps: corps, volume: volume)
        staff = builder.staff
        officers = builder.officers
        parties = builder.parties
        events = builder.events.enumerated()
            .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
            .map(\.element)
            .filter { $0.at <= end }
    }

    /// How many calls the plan makes, for a progress bar.
    public var callCount: Int { events.count }
}

/// One call of the plan. Officers, staff, parties and cases are named by their index in
/// the plan; `HubinDemo` keeps the ids the database gave them.
enum DemoAction: Sendable {
    case createStaff(Int)
    /// The officer's own sign-in account (role officer), made before the officer record.
    case createOfficerAccount(Int)
    case createOfficer(Int)
    case exam(officer: Int, day: CalendarDay, score: Int)
    case training(officer: Int, year: Int, hours: Int)
    case applyForCredential(officer: Int)
    case issueCredential(officer: Int)
    case review(officer: Int, year: Int, outcome: Credential.Review.Outcome, reason: String)
    case succeed(officer: Int, replacement: Bool, reason: String)
    case credentialEvent(officer: Int, Credential.Event, reason: String)
    /// Registers the party, by the officer who first deals with it.
    case createParty(Int, by: Int)
    case kase(Int, CaseAct)
    /// Withdraws the disclosure of the case's decision (e.g. quashed on reconsideration).
    case withdrawDecision(kase: Int, reason: String)
    case publishStatistics(year: Int)
}

/// One call on a case of the plan.
enum CaseAct: Sendable {
    case open(item: String, party: Int, officers: [Int], text: String)
    case take(CaseStep, officers: [Int], intended: EnforcementCase.IntendedDecision?, text: String)
    case confirm(officer: Int)
    case findings(officer: Int, [(code: String, description: String)])
    /// Verifies every finding still open, by an officer of the re-inspection.
    case verifyAll(officer: Int)
    case review(EnforcementCase.ReviewOutcome, text: String)
    case approve(text: String)
    case decide(officer: Int, outcome: String, legalBasis: String, fine: Decimal?)
    case close(officer: Int)
}

/// Collects the plan's people, parties and calls.
struct DemoPlanBuilder {
    var random: DemoRandom
    let calendar: WorkingDayCalendar
    var staff: [DemoPlan.Staff] = []
    var officers: [DemoPlan.OfficerProfile] = []
    var parties: [PartyWork.Input] = []
    var events: [DemoPlan.Scheduled] = []
    var caseCount = 0

    mutating func at(_ day: CalendarDay, _ hour: Int, _ minute: Int = 0, _ action: DemoAction) {
        events.append(.init(at: DemoTime.instant(day, hour, minute), action: action))
    }

    mutating func party(_ input: PartyWork.Input) -> Int {
        parties.append(input)
        return parties.count - 1
    }

    mutating func newCase() -> Int {
        caseCount += 1
        return caseCount - 1
    }

    /// `day` itself when it is a working day, else the next working day.
    func workingDay(onOrAfter day: CalendarDay) -> CalendarDay {
        var day = day
        while !calendar.isWorkingDay(day) { day = day.adding(days: 1) }
        return day
    }

    func addingWorkingDays(_ count: Int, after day: CalendarDay) -> CalendarDay {
        count == 0 ? workingDay(onOrAfter: day) : calendar.addingWorkingDays(count, after: day).day
    }

    /// The working days from `first` through `last`.
    func workingDays(_ first: CalendarDay, _ last: CalendarDay) -> [CalendarDay] {
        var days: [CalendarDay] = []
        var day = first
        while day <= last {
            if calendar.isWorkingDay(day) { days.append(day) }
            day = day.adding(days: 1)
        }
        return days
    }
}

/// Simulated time in China Standard Time.
enum DemoTime {
    static func day(_ year: Int, _ month: Int, _ day: Int) -> CalendarDay {
        try! CalendarDay(year: year, month: month, day: day)  // only literal, valid days
    }

    static func instant(_ day: CalendarDay, _ hour: Int, _ minute: Int = 0) -> Date {
        Date(timeIntervalSince1970: TimeInterval(day.daysSinceUnixEpoch * 86_400 + (hour - 8) * 3_600 + minute * 60))
    }
}
