import FazhiRules
import Foundation
import Testing

let rules = CredentialRules(
    passMark: 60, examValidityYears: 2, termYears: 5, reviewDeadlineMonth: 3, reviewDeadlineDay: 31, trainingHoursThreshold: 40)
let hubin = try! DivisionCode("411202")

func day(_ text: String) -> CalendarDay { try! CalendarDay(iso: text) }
func moment(_ text: String) -> Moment {
    let d = day(text)
    return Moment(instant: Date(timeIntervalSince1970: TimeInterval(d.daysSinceUnixEpoch) * 86_400 + 3_600), day: d)
}

func application(on text: String = "2023-05-10", exam: String = "2023-03-01", score: Int = 82) throws -> Credential {
    try Credential.apply(
        id: UUID(), officerID: UUID(), categories: ["养老服务", "社会组织管理"], areas: [hubin],
        exam: .init(day: day(exam), score: score), by: "证件管理员 王", reason: "新申领", at: moment(text), rules: rules)
}

func issued(on text: String = "2023-05-10") throws -> Credential {
    try application(on: text).applying(.issue(number: "411202-MZ-2023-0001"), by: "负责人", reason: "审核通过", at: moment(text), rules: rules)
}

/// A credential in each state, reached through legal transitions.
func credentialIn(_ state: Credential.State) throws -> Credential {
    let active = try issued()
    let now = moment("2023-06-01")
    switch state {
    case .applied: return try application()
    case .rejected: return try application().applying(.reject, by: "负责人", reason: "材料不全", at: now, rules: rules)
    case .active: return active
    case .suspended: return try active.applying(.suspend, by: "管理员", reason: "调查中", at: now, rules: rules)
    case .revoked: return try active.applying(.revoke, by: "管理员", reason: "违纪", at: now, rules: rules)
    case .expired: return try active.applying(.expire, by: "sweep", reason: "期满", at: moment("2028-05-10"), rules: rules)
    case .superseded:
        return try active.applying(.supersede(successor: "411202-MZ-2023-0002", replacement: true), by: "管理员", reason: "遗失补发", at: now, rules: rules)
    }
}

struct CredentialLifecycleTests {
    static let events: [Credential.Event] = [
        .issue(number: "N-2"), .reject, .suspend, .reinstate, .revoke, .expire,
        .supersede(successor: "N-3", replacement: false), .supersede(successor: "N-4", replacement: true),
        .review(.init(year: 2023, trainingHours: 45, outcome: .passed, reviewer: "审验员", recordedOn: day("2024-02-01"))),
    ]

    /// Every state × every event, at a moment when time itself allows the event: the legal
    /// ones land where docs/DOMAIN.md says, the others throw naming the state and the event.
    @Test(arguments: Credential.State.allCases)
    func everyTransitionFrom(_ state: Credential.State) throws {
        let expected: [String: Credential.State] = [
            "applied/issue": .active, "applied/reject": .rejected,
            "active/suspend": .suspended, "active/revoke": .revoked, "active/expire": .expired,
            "active/renew": .superseded, "active/replace": .superseded, "active/review": .active,
            "suspended/reinstate": .active, "suspended/revoke": .revoked, "suspended/expire": .expired, "suspended/review": .suspended,
        ]
        let start = try credentialIn(state)
        for event in Self.events {
            // Expiry needs the term to have ended; a review needs its year to be over; the rest happen mid-term.
            let when: Moment =
                switch event {
                case .expire: moment("2028-05-10")
                case .review: moment("2024-02-01")
                default: moment("2023-07-01")
                }
            let key = "\(state.rawValue)/\(event.name)"
            if let target = expected[key] {
                let next = try start.applying(event, by: "actor", reason: "reason \(key)", at: when, rules: rules)
                #expect(next.state == target, "\(key)")
                let last = try #require(next.history.last)
                #expect(last.from == state && last.to == target && last.reason == "reason \(key)" && last.actor == "actor" && last.at == when.instant)
                #expect(next.history.count == start.history.count + 1, "the history only grows")
            } else {
                let error = try #require(throws: DomainError.self, "\(key) must be refused") {
                    try start.applying(event, by: "actor", reason: "x", at: when, rules: rules)
                }
                #expect(error.reason == .failedPrecondition)
                #expect(error.metadata["state"] == state.rawValue && error.metadata["event"] == event.name)
                // People read the state's label; the code stays in the metadata for programs.
                #expect(error.messageZH.contains(state.label.zh) && error.messageEN.contains(state.label.en), "\(error)")
            }
        }
    }

    @Test func finalStatesAreFinal() throws {
        for state in Credential.State.allCases where state.isFinal {
            let start = try credentialIn(state)
            for event in Self.events {
                #expect(throws: DomainError.self) { try start.applying(event, by: "a", reason: "r", at: moment("2029-01-01"), rules: rules) }
            }
        }
    }

    @Test func issuingSetsTheTermFromTheSettings() throws {
        let credential = try issued(on: "2024-02-29")
        #expect(credential.number == "411202-MZ-2023-0001")
        #expect(credential.validFrom == day("2024-02-29"))
        #expect(credential.validUntil == day("2029-02-27"), "five years less a day; 29 February falls back to the 28th")
        var shorter = rules
        shorter.termYears = 3
        let three = try application(on: "2024-01-15").applying(.issue(number: "N"), by: "a", reason: "r", at: moment("2024-01-15"), rules: shorter)
        #expect(three.validUntil == day("2027-01-14"))
    }

    @Test func theExamMustBePassedAndRecent() throws {
        let low = try #require(throws: DomainError.self) { try application(score: 59) }
        #expect(low.messageEN.contains("59") && low.messageEN.contains("60"))
        #expect(throws: DomainError.self) { try application(on: "2025-03-02", exam: "2023-03-01") }
        _ = try application(on: "2025-03-01", exam: "2023-03-01")
        // An application that waited past the exam's validity cannot be issued.
        let waiting = try application(on: "2025-02-01", exam: "2023-03-01")
        #expect(throws: DomainError.self) { try waiting.applying(.issue(number: "N"), by: "a", reason: "r", at: moment("2025-03-02"), rules: rules) }
    }

    @Test func renewalOnlyBeforeTheTermEndsReplacementAlways() throws {
        let credential = try issued()
        _ = try credential.applying(.supersede(successor: "N2", replacement: false), by: "a", reason: "换发", at: moment("2028-05-09"), rules: rules)
        #expect(throws: DomainError.self) {
            try credential.applying(.supersede(successor: "N2", replacement: false), by: "a", reason: "换发", at: moment("2028-05-10"), rules: rules)
        }
        #expect(throws: DomainError.self) { try credential.applying(.expire, by: "a", reason: "r", at: moment("2028-05-09"), rules: rules) }
    }

    @Test func reviewsFollowTheRules() throws {
        let credential = try issued()
        let review = { (year: Int, hours: Int, outcome: Credential.Review.Outcome) in
            Credential.Event.review(.init(year: year, trainingHours: hours, outcome: outcome, reviewer: "审验员", recordedOn: day("2024-03-01")))
        }
        let now = moment("2024-03-01")
        #expect(throws: DomainError.self, "too few training hours to pass") {
            try credential.applying(review(2023, 39, .passed), by: "a", reason: "r", at: now, rules: rules)
        }
        #expect(throws: DomainError.self, "a year not over") {
            try credential.applying(review(2024, 45, .passed), by: "a", reason: "r", at: now, rules: rules)
        }
        #expect(throws: DomainError.self, "a year before the term") {
            try credential.applying(review(2022, 45, .passed), by: "a", reason: "r", at: now, rules: rules)
        }
        let passed = try credential.applying(review(2023, 40, .passed), by: "a", reason: "r", at: now, rules: rules)
        #expect(passed.state == .active && passed.reviews[2023]?.trainingHours == 40)
        #expect(throws: DomainError.self, "reviewed twice") {
            try passed.applying(review(2023, 50, .passed), by: "a", reason: "r", at: now, rules: rules)
        }
        #expect(try credential.applying(review(2023, 10, .failedSuspend), by: "a", reason: "r", at: now, rules: rules).state == .suspended)
        #expect(try credential.applying(review(2023, 10, .failedRevoke), by: "a", reason: "r", at: now, rules: rules).state == .revoked)
    }
}

struct AuthorityTests {
    @Test func anUnreviewedCredentialMayActUntilTheDeadlineNotAfter() throws {
        let credential = try issued(on: "2023-05-10")
        #expect(
            Authority.of([credential], category: "养老服务", area: hubin, on: day("2024-03-31"), rules: rules)
                == .allowed(credentialNumber: "411202-MZ-2023-0001"))
        #expect(Authority.of([credential], category: "养老服务", area: hubin, on: day("2024-04-01"), rules: rules) == .denied(.overdueForReview))
        // The sweep suspends it from that day on; a second run changes nothing.
        #expect(credential.sweep(on: day("2024-03-31"), rules: rules) == nil)
        #expect(credential.sweep(on: day("2024-04-01"), rules: rules) == .suspend)
        let suspended = try credential.applying(.suspend, by: "sweep", reason: "逾期未审验", at: moment("2024-04-01"), rules: rules)
        #expect(suspended.sweep(on: day("2024-04-01"), rules: rules) == nil)
        #expect(Authority.of([suspended], category: "养老服务", area: hubin, on: day("2024-04-02"), rules: rules) == .denied(.suspended))
        // Reviewed late, then reinstated: it may act again.
        let reviewed = try suspended.applying(
            .review(.init(year: 2023, trainingHours: 48, outcome: .passed, reviewer: "审验员", recordedOn: day("2024-04-05"))),
            by: "审验员", reason: "补审", at: moment("2024-04-05"), rules: rules)
        let back = try reviewed.applying(.reinstate, by: "管理员", reason: "审验合格", at: moment("2024-04-05"), rules: rules)
        #expect(
            Authority.of([back], category: "养老服务", area: hubin, on: day("2024-04-06"), rules: rules)
                == .allowed(credentialNumber: "411202-MZ-2023-0001"))
    }

    @Test func aSuspendedCredentialCannotBeReinstatedWhileAReviewIsMissing() throws {
        let suspended = try issued().applying(.suspend, by: "sweep", reason: "逾期", at: moment("2024-04-01"), rules: rules)
        #expect(throws: DomainError.self) { try suspended.applying(.reinstate, by: "a", reason: "r", at: moment("2024-04-02"), rules: rules) }
    }

    @Test func expiryAtTheEndOfTheTerm() throws {
        var credential = try issued(on: "2023-05-10")
        for year in 2023...2027 {
            credential = try credential.applying(
                .review(.init(year: year, trainingHours: 40, outcome: .passed, reviewer: "r", recordedOn: day("\(year + 1)-01-15"))),
                by: "r", reason: "r", at: moment("\(year + 1)-01-15"), rules: rules)
        }
        #expect(
            Authority.of([credential], category: "养老服务", area: hubin, on: day("2028-05-09"), rules: rules)
                == .allowed(credentialNumber: "411202-MZ-2023-0001"))
        #expect(Authority.of([credential], category: "养老服务", area: hubin, on: day("2028-05-10"), rules: rules) == .denied(.expired))
        #expect(credential.sweep(on: day("2028-05-10"), rules: rules) == .expire)
    }

    @Test func scopeAndStatusRefusalsAreNamed() throws {
        let credential = try issued()
        let on = day("2023-06-01")
        #expect(Authority.of([credential], category: "婚姻登记", area: hubin, on: on, rules: rules) == .denied(.categoryNotCovered))
        #expect(Authority.of([credential], category: "养老服务", area: try DivisionCode("411203"), on: on, rules: rules) == .denied(.areaNotCovered))
        #expect(Authority.of([], category: "养老服务", area: hubin, on: on, rules: rules) == .denied(.noCredential))
        #expect(Authority.of([try credentialIn(.revoked)], category: "养老服务", area: hubin, on: on, rules: rules) == .denied(.revoked))
        #expect(Authority.of([try credentialIn(.applied)], category: "养老服务", area: hubin, on: on, rules: rules) == .denied(.noCredential))
        #expect(
            Authority.of([credential], category: "养老服务", area: hubin, on: day("2023-05-09"), rules: rules) == .denied(.noCredential), "not yet issued"
        )
        // A replaced credential gives way to its successor.
        let old = try credential.applying(
            .supersede(successor: "N2", replacement: true), by: "a", reason: "补发", at: moment("2023-06-01"), rules: rules)
        var successor = try issued(on: "2023-06-01")
        successor.number = "N2"
        #expect(Authority.of([old, successor], category: "养老服务", area: hubin, on: on, rules: rules) == .allowed(credentialNumber: "N2"))
    }

    @Test func divisionCodesNest() throws {
        let henan = try DivisionCode("410000")
        let sanmenxia = try DivisionCode("411200")
        #expect(henan.contains(hubin) && sanmenxia.contains(hubin) && hubin.contains(hubin))
        let lingbao = try DivisionCode("411300")
        #expect(!hubin.contains(sanmenxia) && !sanmenxia.contains(lingbao))
        #expect(throws: DomainError.self) { try DivisionCode("41120") }
        #expect(throws: DomainError.self) { try DivisionCode("41120x") }
    }
}
