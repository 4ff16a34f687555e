import FazhiRules
import FazhiUseCases
import Foundation

/// Carries out a `DemoPlan` call by call, in time order, as the user each call names. At
/// the end of each simulated day the disclosure publisher and the log's sequencer run, and
/// on each day of the demo year the daily sweeps, as the server and its jobs would.
struct DemoRunner {
    let demo: HubinDemo
    let agency: Agency
    let plan: DemoPlan
    let password: String
    let admin: Caller

    /// One hash of the shared password for every account the demo makes.
    let passwordHash: PasswordHash
    var users: [String: Caller] = [:]
    var officers: [Int: UUID] = [:]
    var credentials: [Int: UUID] = [:]
    var parties: [Int: UUID] = [:]
    var cases: [Int: EnforcementCase] = [:]

    init(demo: HubinDemo, agency: Agency, plan: DemoPlan, password: String, admin: Caller) throws {
        passwordHash = try PasswordHash.make(password, parameters: demo.scrypt)
        self.demo = demo
        self.agency = agency
        self.plan = plan
        self.password = password
        self.admin = admin
    }

    var store: any TenantStore { demo.store }

    mutating func run(progress: @Sendable (Int, Int) -> Void) async throws {
        var today: CalendarDay?
        for (done, event) in plan.events.enumerated() {
            let moment = Moment(instant: event.at)
            if let day = today, day < moment.day { try await endOfDay(day, before: moment.day) }
            today = moment.day
            do {
                try await perform(event.action, at: moment)
            } catch {
                throw DemoFailure(at: moment, action: event.action, underlying: error)
            }
            if done % 50 == 0 { progress(done, plan.events.count) }
        }
        if let today { try await endOfDay(today, before: today.adding(days: 1)) }
        progress(plan.events.count, plan.events.count)
    }

    /// Publishes and sequences the day's disclosures at 17:30, then runs the sweeps at
    /// 01:00 of each following day of the demo year up to `next`.
    private func endOfDay(_ day: CalendarDay, before next: CalendarDay) async throws {
        let evening = Moment(instant: DemoTime.instant(day, 17, 30))
        _ = try await DisclosurePublishingWork(store: store).run(agency: agency, at: evening)
        try await releaseDrafts(at: evening)
        _ = try await DisclosureLogWork(store: store, sealer: demo.secrets.signingKeys).sequence(agency: agency, at: evening.instant)
        // The sweep days between this day and the next, also when this day lies before them.
        var sweepDay = max(day.adding(days: 1), plan.sweepDays.lowerBound)
        while sweepDay <= next, sweepDay <= plan.sweepDays.upperBound {
            let night = Moment(instant: DemoTime.instant(sweepDay, 1))
            _ = try await CredentialWork(store: store).sweep(agency: agency, at: night)
            _ = try await CaseWork(store: store).rectificationSweep(agency: agency, at: night)
            sweepDay = sweepDay.adding(days: 1)
        }
    }

    /// Where the agency reviews entries before release (`disclosure.review_before_release`),
    /// its compliance officer releases the day's drafts in the evening.
    private func releaseDrafts(at evening: Moment) async throws {
        guard let compliance = users[DemoCorps.complianceOfficer] else { return }
        let work = DisclosureWork(store: store)
        while case let drafts = try await work.due(compliance, on: evening.day, limit: 100), !drafts.isEmpty {
            for (draft, _) in drafts {
                _ = try await work.release(
                    compliance, entryID: draft.id, call: call("fazhi.v1.DisclosureService/ReleaseDisclosure", as: compliance), at: evening)
            }
        }
    }

    private func call(_ method: String, as caller: Caller) -> CallAudit {
        let audit = CallAudit(
            method: method, peer: "fazhi demo (simulated clock)", requestID: UUID().uuidString.lowercased(), elapsedMicroseconds: { 0 })
        audit.identify(caller)
        return audit
    }

    private func user(_ username: String) throws -> Caller {
        guard let caller = users[username] else { throw DemoPlanError("no account \(username) yet") }
        return caller
    }

    private mutating func createAccount(_ username: String, _ displayName: String, _ roles: Set<Role>, at now: Moment) async throws {
        let record = try await UserWork(store: store, scrypt: demo.scrypt).createUser(
            admin, username: username, displayName: displayName, initialPassword: password, roles: roles,
            call: call("fazhi.v1.UserService/CreateUser", as: admin), now: now.instant, hashed: passwordHash)
        users[username] = Caller(
            agency: agency, userID: record.id, username: username, displayName: displayName, roles: roles, proof: .session, sessionID: nil)
    }

    private mutating func perform(_ action: DemoAction, at now: Moment) async throws {
        let credentialAdmin = try? user(DemoCorps.credentialAdmin)
        let administration = CredentialWork(store: store)
        let corps = OfficerWork(store: store, secrets: demo.secrets)
        func officer(_ index: Int) throws -> UUID {
            guard let id = officers[index] else { throw DemoPlanError("officer \(index) not created yet") }
            return id
        }
        func credential(_ index: Int) throws -> UUID {
            guard let id = credentials[index] else { throw DemoPlanError("officer \(index) has no credential yet") }
            return id
        }
        func asAdmin(_ method: String) throws -> (Caller, CallAudit) {
            guard let credentialAdmin else { throw DemoPlanError("no credential administrator yet") }
            return (credentialAdmin, call("fazhi.v1.CredentialService/\(method)", as: credentialAdmin))
        }
        switch action {
        case .createStaff(let index):
            let person = plan.staff[index]
            try await createAccount(person.username, person.displayName, person.roles, at: now)
        case .createOfficerAccount(let index):
            let profile = plan.officers[index]
            try await createAccount(profile.username, "\(profile.name)（\(profile.unit)）", [.officer], at: now)
        case .createOfficer(let index):
            let profile = plan.officers[index]
            let (caller, audit) = try asAdmin("CreateOfficer")
            let view = try await corps.createOfficer(
                caller,
                .init(
                    name: profile.name, unit: profile.unit, position: profile.position,
                    idNumber: profile.idNumber, contact: nil, username: profile.username),
                call: audit, now: now.instant)
            officers[index] = view.id
        case .exam(let index, let day, let score):
            let (caller, audit) = try asAdmin("RecordExam")
            _ = try await corps.recordExam(caller, officerID: try officer(index), day: day, score: score, call: audit, now: now)
        case .training(let index, let year, let hours):
            let (caller, audit) = try asAdmin("SetTrainingHours")
            _ = try await corps.setTrainingHours(caller, officerID: try officer(index), year: year, hours: hours, call: audit, now: now)
        case .applyForCredential(let index):
            let (caller, audit) = try asAdmin("ApplyForCredential")
            let status = try await administration.applyForCredential(
                officerID: try officer(index), categories: [plan.officers[index].category], areas: [], agency: agency,
                actor: caller.username, reason: "经资格考试合格，申领行政执法证", at: now, call: audit)
            credentials[index] = status.credential.id
        case .issueCredential(let index):
            let (caller, audit) = try asAdmin("IssueCredential")
            _ = try await administration.issue(
                try credential(index), agency: agency, actor: caller.username, reason: "审核通过，核发行政执法证", at: now, call: audit)
        case .review(let index, let year, let outcome, let reason):
            let (caller, audit) = try asAdmin("RecordReview")
            _ = try await administration.review(
                try credential(index), year: year, outcome: outcome, agency: agency, actor: caller.username,
                reason: reason, at: now, call: audit)
        case .succeed(let index, let replacement, let reason):
            let (caller, audit) = try asAdmin(replacement ? "ReplaceCredential" : "RenewCredential")
            let successor = try await administration.succeed(
                try credential(index), replacement: replacement, agency: agency, actor: caller.username,
                reason: reason, at: now, call: audit)
            credentials[index] = successor.credential.id
        case .credentialEvent(let index, let event, let reason):
            let (caller, audit) = try asAdmin("\(event.name.prefix(1).uppercased())\(event.name.dropFirst())Credential")
            _ = try await administration.apply(
                event, to: try credential(index), agency: agency, actor: caller.username, reason: reason, at: now, call: audit)
        case .createParty(let index, let by):
            let caller = try user(plan.officers[by].username)
            let party = try await PartyWork(store: store, keys: demo.secrets.personalData).create(
                caller, plan.parties[index], call: call("fazhi.v1.PartyService/CreateParty", as: caller), now: now.instant)
            parties[index] = party.id
        case .kase(let index, let act):
            try await perform(act, onCase: index, at: now)
        case .withdrawDecision(let index, let reason):
            guard let number = cases[index]?.decision?.documentNumber else { throw DemoPlanError("case \(index) has no decision to withdraw") }
            let approver = try user(DemoCorps.approver)
            let work = DisclosureWork(store: store)
            guard
                let entry = try await work.publicEntries(agency: agency, DisclosureFilter(kind: .decision, text: number), after: nil, limit: 1).first
            else {
                throw DemoPlanError("no published disclosure of \(number)")
            }
            _ = try await work.withdraw(
                approver, entryID: entry.id, reason: reason, changedOn: now.day,
                call: call("fazhi.v1.DisclosureService/WithdrawDisclosure", as: approver), at: now)
        case .publishStatistics(let year):
            let compliance = try user(DemoCorps.complianceOfficer)
            _ = try await StatisticsWork(store: store).publish(
                compliance, year: year,
                call: call("fazhi.v1.StatisticsService/PublishAnnualStatistics", as: compliance), at: now)
        }
    }

    private mutating func perform(_ act: CaseAct, onCase index: Int, at now: Moment) async throws {
        let work = CaseWork(store: store)
        func caller(_ officer: Int) throws -> Caller { try user(plan.officers[officer].username) }
        func ids(_ team: [Int]) throws -> [UUID] {
            try team.map {
                guard let id = officers[$0] else { throw DemoPlanError("officer \($0) not created yet") }
                return id
            }
        }
        if case .open(let item, let party, let team, let text) = act {
            guard let partyID = parties[party] else { throw DemoPlanError("party \(party) not created yet") }
            let initiator = try caller(team[0])
            cases[index] = try await work.open(
                initiator, itemCode: item, partyID: partyID, area: nil, officers: try ids(team), text: text,
                call: call("fazhi.v1.CaseService/OpenCase", as: initiator), at: now)
            return
        }
        guard let kase = cases[index] else { throw DemoPlanError("case \(index) not opened yet") }
        let (who, event, text, method): (Caller, CaseEvent, String, String)
        switch act {
        case .open: return
        case .take(let step, let team, let intended, let stepText):
            (who, event, text, method) = (try caller(team[0]), .take(step, officers: try ids(team), intended: intended), stepText, "TakeStep")
        case .confirm(let officer):
            (who, event, text, method) = (try caller(officer), .confirm, "确认参与本步骤", "ConfirmStep")
        case .findings(let officer, let found):
            (who, event, text, method) = (try caller(officer), .findings(found), "检查发现问题，下达责令整改通知书", "RecordFindings")
        case .verifyAll(let officer):
            let open = kase.findings.filter { $0.verifiedOn == nil }.map(\.id)
            (who, event, text, method) = (try caller(officer), .verify(open), "复查确认整改到位", "VerifyRectification")
        case .review(let outcome, let reviewText):
            (who, event, text, method) = (try user(DemoCorps.legalReviewer), .review(outcome), reviewText, "ReviewCase")
        case .approve(let approveText):
            (who, event, text, method) = (try user(DemoCorps.approver), .approve, approveText, "ApproveCase")
        case .decide(let officer, let outcome, let basis, let fine):
            (who, event, text, method) = (
                try caller(officer), .decide(outcome: outcome, legalBasis: basis, fine: fine), "作出决定：\(outcome)", "DecideCase"
            )
        case .close(let officer):
            (who, event, text, method) = (try caller(officer), .close, "结案归档", "CloseCase")
        }
        cases[index] = try await work.apply(who, caseID: kase.id, event, text: text, call: call("fazhi.v1.CaseService/\(method)", as: who), at: now)
    }
}

/// A plan that asks for something not made yet: a bug of the plan, not of the user's data.
struct DemoPlanError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A refused call of the demo, with when and what it was.
public struct DemoFailure: Error, CustomStringConvertible {
    public let at: Moment
    let action: DemoAction
    public let underlying: any Error

    public var description: String {
        "演示数据载入失败 / the demo failed at \(at.day) (\(at.instant)): \(action): \(underlying). "
            + "已写入的数据保留；开发环境请 fazhi db stop 后删除 .fazhi/ 重来 / what was made stays; "
            + "for the development cluster run `fazhi db stop`, delete .fazhi/ and start again"
    }
}
