import FazhiRules
import Foundation
import Testing

struct EnforcementCaseTests {
    static let items = try! PowerListCSV.parse(try! hubinPowerListCSV())
    static func item(_ code: String) -> PowerItem { items.first { $0.code == code }! }
    static let penalty = item("MZ-CF-003")  // conditional, two officers
    static let inspection = item("MZ-JC-001")  // two officers
    static let licensing = item("MZ-XK-001")  // one officer, not major
    static let li = UUID(), wang = UUID(), zhao = UUID(), reviewer = UUID(), approver = UUID()
    static let threshold: Decimal = 10_000

    /// Everyone may act, unless named in `denied`.
    static func authority(_ denied: [UUID: Authority.Refusal] = [:]) -> (UUID) -> Authority {
        { officer in denied[officer].map(Authority.denied) ?? .allowed(credentialNumber: "411202-MZ-2026-0000\(officer == li ? 1 : 2)") }
    }

    func newCase(_ item: PowerItem) -> EnforcementCase {
        EnforcementCase(id: UUID(), item: item, itemVersion: 1, partyID: UUID(), area: try! DivisionCode("411202"))
    }

    func apply(
        _ kase: EnforcementCase, _ events: [EnforcementCase.Event], on text: String = "2026-03-02",
        denied: [UUID: Authority.Refusal] = [:]
    ) throws -> EnforcementCase {
        try events.reduce(kase) { try $0.applying($1, at: moment(text), authority: Self.authority(denied), fineThreshold: Self.threshold) }
    }

    /// Both officers take and confirm the step.
    func both(_ step: CaseStep, intended: EnforcementCase.IntendedDecision? = nil) -> [EnforcementCase.Event] {
        [.take(step, officers: [Self.li, Self.wang], initiator: Self.li, intended: intended), .confirm(officer: Self.wang)]
    }

    @Test func aMinorPenaltyCaseRunsItsStepsInOrder() throws {
        var kase = newCase(Self.penalty)
        #expect(kase.nextStep == .open && kase.major == nil, "a conditional item waits for the intended decision")
        kase = try apply(kase, both(.open) + both(.investigate) + both(.investigate))
        #expect(kase.openedOn == day("2026-03-02") && kase.nextStep == .notify)
        kase = try apply(kase, both(.notify, intended: .init(fine: 5_000, revokesRegistration: false)))
        #expect(kase.major == false && kase.nextStep == .approve)
        kase = try apply(
            kase,
            [
                .approve(approver: Self.approver),
                .decide(documentNumber: "湖民罚决字〔2026〕第001号", outcome: "罚款", legalBasis: "《养老机构管理办法》第四十六条", fine: 5_000),
            ])
        kase = try apply(kase, both(.serve) + both(.execute) + [.close(officer: Self.li)])
        #expect(kase.status == .closed && kase.decision?.fine == 5_000 && kase.history.map(\.step).last == .close)
        #expect(kase.history.first?.participants.map(\.credentialNumber) == ["411202-MZ-2026-00001", "411202-MZ-2026-00002"])
    }

    @Test func oneOfficerWhereTwoAreNeededIsRefused() throws {
        let error = #expect(throws: DomainError.self) {
            try apply(newCase(Self.penalty), [.take(.open, officers: [Self.li, Self.li], initiator: Self.li)])
        }
        #expect(error?.metadata["minimum_officers"] == "2")
        _ = try apply(newCase(Self.licensing), [.take(.open, officers: [Self.li], initiator: Self.li)])
    }

    @Test func anOfficerWithoutAuthorityIsRefusedByNameWithTheReason() throws {
        for refusal in [Authority.Refusal.suspended, .revoked, .expired, .overdueForReview, .categoryNotCovered, .areaNotCovered, .noCredential] {
            let error = #expect(throws: DomainError.self, "\(refusal)") {
                try apply(newCase(Self.penalty), [.take(.open, officers: [Self.li, Self.wang], initiator: Self.li)], denied: [Self.wang: refusal])
            }
            #expect(error?.reason == .permissionDenied && error?.metadata["officer"] == Self.wang.uuidString.lowercased())
            #expect(error?.metadata["refusal"] == refusal.rawValue)
        }
        // Authority is asked again when confirming: suspended in between, the part stays pending.
        let taken = try apply(newCase(Self.penalty), [.take(.open, officers: [Self.li, Self.wang], initiator: Self.li)])
        #expect(throws: DomainError.self) { try apply(taken, [.confirm(officer: Self.wang)], denied: [Self.wang: .suspended]) }
    }

    @Test func aRecusedOfficerIsRefusedAndTheirPendingPartIsWithdrawn() throws {
        let taken = try apply(newCase(Self.penalty), [.take(.open, officers: [Self.li, Self.wang], initiator: Self.li)])
        let recused = try apply(taken, [.recuse(officer: Self.wang)])
        #expect(recused.history.isEmpty && recused.nextStep == .open)
        let error = #expect(throws: DomainError.self) { try apply(recused, [.take(.open, officers: [Self.li, Self.wang], initiator: Self.li)]) }
        #expect(error?.metadata["refusal"] == "RECUSED")
        _ = try apply(recused, [.take(.open, officers: [Self.li, Self.zhao], initiator: Self.li)])
    }

    @Test func aStepWaitsForEveryConfirmation() throws {
        let taken = try apply(newCase(Self.penalty), [.take(.open, officers: [Self.li, Self.wang], initiator: Self.li)])
        #expect(taken.history.last?.isComplete == false)
        let pending = #expect(throws: DomainError.self) { try apply(taken, both(.investigate)) }
        #expect(pending?.metadata["officer"] == Self.wang.uuidString.lowercased() && pending?.metadata["step"] == "open")
        #expect(throws: DomainError.self, "not named") { try apply(taken, [.confirm(officer: Self.zhao)]) }
        #expect(throws: DomainError.self, "twice") { try apply(taken, [.confirm(officer: Self.li)]) }
        _ = try apply(taken, [.confirm(officer: Self.wang)] + both(.investigate))
    }

    @Test func aMajorDecisionNeedsAnApprovingReviewByAnOutsider() throws {
        let notified = try apply(
            newCase(Self.penalty), both(.open) + both(.investigate) + both(.notify, intended: .init(fine: 20_000, revokesRegistration: false)))
        #expect(notified.major == true && notified.nextStep == .legalReview)
        #expect(throws: DomainError.self, "no approval before review") { try apply(notified, [.approve(approver: Self.approver)]) }
        let insider = #expect(throws: DomainError.self) { try apply(notified, [.review(.approve, reviewer: Self.wang)]) }
        #expect(insider?.metadata["reviewer"] == Self.wang.uuidString.lowercased())

        let returned = try apply(notified, [.review(.returnForCorrection, reviewer: Self.reviewer)])
        #expect(returned.nextStep == .notify && returned.history.last?.step == .investigate, "back to investigation")
        let rejected = try apply(notified, [.review(.reject, reviewer: Self.reviewer)])
        #expect(rejected.status == .closed)

        let reviewed = try apply(notified, [.review(.approve, reviewer: Self.reviewer), .approve(approver: Self.approver)])
        let decided = try apply(reviewed, [.decide(documentNumber: "湖民罚决字〔2026〕第002号", outcome: "罚款", legalBasis: "依据", fine: 20_000)])
        #expect(decided.nextStep == .serve)

        // Revoking a registration makes the case major whatever the fine.
        let revoking = try apply(
            newCase(Self.penalty), both(.open) + both(.investigate) + both(.notify, intended: .init(fine: nil, revokesRegistration: true)))
        #expect(revoking.major == true)
        #expect(throws: DomainError.self, "notify must say what is intended") {
            try apply(newCase(Self.penalty), both(.open) + both(.investigate) + both(.notify))
        }
    }

    @Test func everyStepOutOfOrderIsRefused() throws {
        for item in [Self.penalty, Self.inspection, Self.licensing] {
            var kase = newCase(item)
            let officers = Array([Self.li, Self.wang].prefix(item.minimumOfficers))
            for expected in kase.kind.steps(major: false) {
                #expect(kase.nextStep == expected, "\(item.code)")
                // Every other enforcement step, and the steps of reviewers and approvers, are refused here.
                for step in CaseStep.allCases where step.isEnforcement && step != expected && !(step == kase.history.last?.step && step != .open) {
                    #expect(throws: DomainError.self, "\(item.code): \(step) while waiting for \(expected)") {
                        try apply(kase, [.take(step, officers: officers, initiator: Self.li)])
                    }
                }
                if expected != .legalReview {
                    #expect(throws: DomainError.self) { try apply(kase, [.review(.approve, reviewer: Self.reviewer)]) }
                }
                if expected != .approve { #expect(throws: DomainError.self) { try apply(kase, [.approve(approver: Self.approver)]) } }
                if expected != .decide {
                    #expect(throws: DomainError.self) { try apply(kase, [.decide(documentNumber: "N", outcome: "o", legalBasis: "b", fine: nil)]) }
                }
                if expected != .close { #expect(throws: DomainError.self) { try apply(kase, [.close(officer: Self.li)]) } }
                let intended: EnforcementCase.IntendedDecision? = expected == .notify ? .init(fine: 100, revokesRegistration: false) : nil
                switch expected {
                case .approve: kase = try apply(kase, [.approve(approver: Self.approver)])
                case .decide: kase = try apply(kase, [.decide(documentNumber: "N", outcome: "o", legalBasis: "b", fine: nil)])
                case .close: kase = try apply(kase, [.close(officer: Self.li)])
                default:
                    kase = try apply(
                        kase,
                        [.take(expected, officers: officers, initiator: Self.li, intended: intended)]
                            + (officers.count > 1 ? [.confirm(officer: Self.wang)] : []))
                }
            }
            #expect(kase.status == .closed && kase.nextStep == nil)
            #expect(throws: DomainError.self, "a closed case changes no more") { try apply(kase, [.recuse(officer: Self.li)]) }
        }
    }

    @Test func aDecisionIsQueuedForDisclosureOnlyWhenItsItemIsPublished() throws {
        let calendar = WorkingDayCalendar(schedules: [])
        func decided(_ item: PowerItem) throws -> EnforcementCase {
            try apply(
                newCase(item),
                [
                    .take(.open, officers: [Self.li], initiator: Self.li), .take(.investigate, officers: [Self.li], initiator: Self.li),
                    .approve(approver: Self.approver), .decide(documentNumber: "N-1", outcome: "o", legalBasis: "b", fine: nil),
                ])
        }
        let licensing = try decided(Self.licensing)
        let disclosure = try #require(DecisionDisclosure.of(licensing, on: day("2026-03-06"), calendar: calendar))
        #expect(disclosure.documentNumber == "N-1" && disclosure.due == day("2026-03-17") && disclosure.provisional, "7 weekdays, no calendar loaded")
        #expect(DecisionDisclosure.of(try decided(Self.item("MZ-JF-001")), on: day("2026-03-06"), calendar: calendar) == nil, "statistics only")
        #expect(DecisionDisclosure.of(newCase(Self.licensing), on: day("2026-03-06"), calendar: calendar) == nil, "no decision yet")
    }

    @Test func anInspectionClosesOnlyWhenEveryFindingIsVerifiedRectified() throws {
        func finding(_ code: String) -> Finding {
            Finding(id: UUID(), checklistCode: code, description: "\(code) 存在隐患", deadline: day("2026-03-23"), deadlineProvisional: false)
        }
        let (fire, food) = (finding("FIRE-1"), finding("FOOD-1"))
        var kase = try apply(newCase(Self.inspection), both(.open) + both(.inspect))
        #expect(kase.nextStep == .close, "no findings: the inspection may close")
        #expect(throws: DomainError.self, "only the inspection's officers record findings") {
            try apply(kase, [.findings([fire], officer: Self.zhao)])
        }
        kase = try apply(kase, [.findings([fire, food], officer: Self.li)])
        #expect(kase.nextStep == .reinspect)
        #expect(throws: DomainError.self) { try apply(kase, [.close(officer: Self.li)]) }
        #expect(throws: DomainError.self, "verified only after a re-inspection") { try apply(kase, [.verify([fire.id], officer: Self.li)]) }

        // Overdue after the deadline, marked once.
        let overdue = try apply(kase, [.markOverdue(on: day("2026-03-24"))])
        #expect(overdue.findings.allSatisfy { $0.overdueSince == day("2026-03-24") })
        #expect(try apply(overdue, [.markOverdue(on: day("2026-03-25"))]).findings == overdue.findings, "a second sweep changes nothing")
        #expect(try apply(kase, [.markOverdue(on: day("2026-03-23"))]).findings == kase.findings, "not before the deadline has passed")

        kase = try apply(kase, both(.reinspect) + [.verify([fire.id], officer: Self.wang)])
        #expect(kase.nextStep == .reinspect, "one finding still open")
        #expect(throws: DomainError.self, "a finding is verified once") { try apply(kase, both(.reinspect) + [.verify([fire.id], officer: Self.li)]) }
        kase = try apply(kase, both(.reinspect) + [.verify([food.id], officer: Self.li)])
        #expect(kase.nextStep == .close && kase.findings.allSatisfy { $0.verifiedOn == day("2026-03-02") })
        kase = try apply(kase, [.close(officer: Self.li)])
        #expect(kase.status == .closed)
    }
}
