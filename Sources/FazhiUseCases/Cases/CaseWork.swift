import FazhiRules
import Foundation

/// 执法办案: officers, reviewers and approvers working a case. Each call is one
/// transaction: load the case under its row lock, ask `Authority` for every officer the
/// event names, let the state machine decide, save the case, append the full-process
/// record and the call's audit row.
public struct CaseWork: Sendable {
    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    /// 立案: opens a case under the item in force, for a party, by the named officers (the
    /// caller among them).
    public func open(
        _ caller: Caller, itemCode: String, partyID: UUID, area: String?, officers: [UUID], text: String,
        call: CallAudit, at now: Moment
    ) async throws -> EnforcementCase {
        try Self.validText(text)
        let area = try DivisionCode(area.flatMap { $0.isEmpty ? nil : $0 } ?? caller.agency.divisionCode)
        guard try DivisionCode(caller.agency.divisionCode).contains(area) else {
            throw DomainError.areaOutsideJurisdiction("\(area)")
        }
        return try await work(caller, call: call, at: now) { tx in
            guard let (item, version) = try await tx.powerList.item(code: itemCode, version: nil) else {
                throw DomainError.itemNotInPowerList(itemCode)
            }
            guard try await tx.parties.party(id: partyID) != nil else { throw DomainError.noSuchParty }
            let initiator = try await Self.ownOfficer(caller, tx)
            let kase = EnforcementCase(id: UUID(), item: item, itemVersion: version, partyID: partyID, area: area)
            call.target("case:\(kase.id.uuidString.lowercased())")
            let event = EnforcementCase.Event.take(.open, officers: officers, initiator: initiator)
            var opened = try await Self.decide(kase, event, officers: officers, tx: tx, at: now)
            if opened.kind == .penalty {
                opened.decisionDue = now.day.adding(days: try await tx.settings().integer("case.penalty_decision_days"))
            }
            try await tx.cases.insert(opened, at: now.instant)
            try await Self.record(opened, event, caller: caller, officers: officers, text: text, tx: tx, at: now)
            return opened
        }
    }

    /// Every other event on an open case.
    public func apply(
        _ caller: Caller, caseID: UUID, _ event: CaseEvent, text: String, call: CallAudit, at now: Moment
    ) async throws -> EnforcementCase {
        try Self.validText(text)
        call.target("case:\(caseID.uuidString.lowercased())")
        return try await work(caller, call: call, at: now) { tx in
            guard let (kase, version) = try await tx.cases.kase(id: caseID, locking: true) else {
                throw DomainError.noSuchCase
            }
            let settings = try await tx.settings()
            let (machineEvent, officers) = try await Self.machineEvent(event, caller: caller, kase: kase, settings: settings, tx: tx, now: now)
            let next = try await Self.decide(kase, machineEvent, officers: officers, tx: tx, at: now)
            if case .decide = machineEvent {
                // A decision takes a document number; its save reports a clash at once.
                guard try await tx.cases.save(next, readAt: version, at: now.instant) else {
                    throw DomainError.caseChangedMeanwhile
                }
            } else {
                try await tx.cases.saveLocked(next, at: now.instant)  // read under lock above
            }
            try await Self.record(next, machineEvent, caller: caller, officers: officers, text: text, tx: tx, at: now)
            if case .decide = machineEvent, let disclosure = DecisionDisclosure.of(next, on: now.day, calendar: try await tx.workingDayCalendar()) {
                try await tx.cases.queueDisclosure(disclosure, at: now.instant)
            }
            return next
        }
    }

    /// A case and its whole record.
    public func kase(_ caller: Caller, id: UUID) async throws -> (EnforcementCase, [CaseRecordEntry]) {
        try await store.transaction(agency: caller.agency.id, .read) { tx in
            guard let (kase, _) = try await tx.cases.kase(id: id, locking: false) else {
                throw DomainError.noSuchCase
            }
            return (kase, try await tx.cases.record(caseID: id))
        }
    }

    public func cases(_ caller: Caller, _ filter: CaseFilter, after: UUID?, limit: Int) async throws -> [EnforcementCase] {
        try await store.transaction(agency: caller.agency.id, .read) { tx in try await tx.cases.cases(filter, after: after, limit: limit) }
    }

    // MARK: Inside the transaction

    private func work<T: Sendable>(
        _ caller: Caller, call: CallAudit, at now: Moment,
        _ body: @escaping @Sendable (any TenantTransaction) async throws -> T
    ) async throws -> T {
        try await store.change(agency: caller.agency.id, call: call, at: now.instant) { tx in
            tx.prefetchSettings()  // every act asks them: officers' authority, the major-fine threshold
            return try await body(tx)
        }
    }

    /// The state machine's answer, with every named officer's authority asked first.
    static func decide(
        _ kase: EnforcementCase, _ event: EnforcementCase.Event, officers: [UUID], tx: any TenantTransaction,
        at now: Moment
    ) async throws -> EnforcementCase {
        let authorities = try await Authority.of(officerIDs: Set(officers), category: kase.item.enforcementCategory, area: kase.area, at: now, in: tx)
        let threshold = try await tx.settings().decimal("case.major_fine_threshold")
        return try kase.applying(event, at: now, authority: { authorities[$0] ?? .denied(.noCredential) }, fineThreshold: threshold)
    }

    static func machineEvent(
        _ event: CaseEvent, caller: Caller, kase: EnforcementCase, settings: AgencySettings, tx: any TenantTransaction,
        now: Moment
    ) async throws -> (EnforcementCase.Event, [UUID]) {
        switch event {
        case .take(let step, let officers, let intended):
            return (.take(step, officers: officers, initiator: try await ownOfficer(caller, tx), intended: intended), officers)
        case .confirm:
            let officer = try await ownOfficer(caller, tx)
            return (.confirm(officer: officer), [officer])
        case .recuse:
            return (.recuse(officer: try await ownOfficer(caller, tx)), [])
        case .review(let outcome):
            guard caller.roles.contains(.legalReviewer) else { throw DomainError.needsRole("legal_reviewer") }
            // A reviewer who is also an officer is compared by their officer record.
            let reviewer = try await tx.credentials.officer(userID: caller.userID)?.id ?? caller.userID
            return (.review(outcome, reviewer: reviewer), [])
        case .approve:
            guard caller.roles.contains(.approver) else { throw DomainError.needsRole("approver") }
            return (.approve(approver: caller.userID), [])
        case .decide(let outcome, let legalBasis, let fine):
            // Penalties and other acts are numbered in series of their own.
            let pattern = try settings.text(kase.kind == .penalty ? "case.decision_number_pattern" : "case.act_decision_number_pattern")
            let number = try await tx.cases.nextDecisionNumber(pattern: pattern, year: now.day.year)
            return (.decide(documentNumber: number, outcome: outcome, legalBasis: legalBasis, fine: fine), [])
        case .close:
            let officer = try await ownOfficer(caller, tx)
            return (.close(officer: officer), [officer])
        case .findings(let found):
            let officer = try await ownOfficer(caller, tx)
            let party = try await tx.parties.party(id: kase.partyID)
            let known = Set(InspectionChecklist.items(for: party?.institutionType).map(\.code))
            let days = try settings.integer("inspection.rectification_working_days")
            let deadline = try await tx.workingDayCalendar().addingWorkingDays(days, after: now.day)
            let findings = try found.map { item -> Finding in
                guard known.contains(item.code) else {
                    throw DomainError.notOnChecklist(item.code)
                }
                return Finding(
                    id: UUID(), checklistCode: item.code, description: item.description, deadline: deadline.day,
                    deadlineProvisional: deadline.provisional)
            }
            return (.findings(findings, officer: officer), [officer])
        case .verify(let ids):
            let officer = try await ownOfficer(caller, tx)
            return (.verify(ids, officer: officer), [officer])
        }
    }

    /// Appends the record entry of `event` and remembers the officers it names.
    static func record(
        _ kase: EnforcementCase, _ event: EnforcementCase.Event, caller: Caller, officers: [UUID], text: String,
        tx: any TenantTransaction, at now: Moment
    ) async throws {
        let (step, name) = Self.describe(event, kase: kase)
        try await tx.cases.append(
            CaseRecordEntry(step: step, event: name, actor: caller.userID, officers: officers, text: text, at: now.instant), toCase: kase.id)
        if !officers.isEmpty { try await tx.cases.addOfficers(caseID: kase.id, officers) }
    }

    static func describe(_ event: EnforcementCase.Event, kase: EnforcementCase) -> (step: String, event: String) {
        switch event {
        case .take(let step, _, _, _): (step.rawValue, "take")
        case .confirm: (kase.history.last?.step.rawValue ?? "", "confirm")
        case .review(let outcome, _): ("legal_review", "review:\(outcome.rawValue)")
        case .approve: ("approve", "approve")
        case .decide(let number, _, _, _): ("decide", "decide:\(number)")
        case .close: ("close", "close")
        case .recuse: (kase.nextStep?.rawValue ?? "", "recuse")
        case .findings(let found, _): (kase.history.last?.step.rawValue ?? "", "findings:\(found.count)")
        case .verify(let ids, _): ("reinspect", "verify:\(ids.count)")
        case .markOverdue: ("", "overdue")
        }
    }

    /// The caller's own officer record: enforcement acts are signed by officers.
    static func ownOfficer(_ caller: Caller, _ tx: any TenantTransaction) async throws -> UUID {
        if let officer = caller.officerID { return officer }  // read along with the session
        guard let officer = try await tx.credentials.officer(userID: caller.userID) else {
            throw DomainError.notAnActingOfficer
        }
        return officer.id
    }

    static func validText(_ text: String) throws {
        guard text.count <= 10_000 else {
            throw DomainError.recordTextTooLong
        }
    }
}

/// What a caller asks of a case; `CaseWork` turns it into the state machine's event.
public enum CaseEvent: Sendable {
    case take(CaseStep, officers: [UUID], intended: EnforcementCase.IntendedDecision?)
    case confirm
    case recuse
    case review(EnforcementCase.ReviewOutcome)
    case approve
    case decide(outcome: String, legalBasis: String, fine: Decimal?)
    case close
    /// Findings of the inspection just completed: checklist code and description each.
    case findings([(code: String, description: String)])
    /// Findings the re-inspection just completed verified rectified.
    case verify([UUID])
}
