import FazhiRules
import Foundation

/// 执法队伍: officers, their exams and training hours, and what each caller may read of
/// them and their credentials. Credential administrators write; an officer reads only
/// their own record; auditors read all, personal identifiers masked.
public struct OfficerWork: Sendable {
    public let store: any TenantStore
    public let secrets: ServerSecrets

    public init(store: any TenantStore, secrets: ServerSecrets) {
        self.store = store
        self.secrets = secrets
    }

    public struct OfficerInput: Sendable {
        public var name: String
        public var unit: String
        public var position: String
        public var idNumber: String
        public var contact: String?
        /// The username of the officer's sign-in account, if they have one.
        public var username: String?

        public init(name: String, unit: String, position: String, idNumber: String, contact: String?, username: String?) {
            self.name = name
            self.unit = unit
            self.position = position
            self.idNumber = idNumber
            self.contact = contact
            self.username = username
        }
    }

    public func createOfficer(_ caller: Caller, _ input: OfficerInput, call: CallAudit, now: Date) async throws -> OfficerView {
        for (field, zh, value) in [("name", "姓名", input.name), ("unit", "所在单位", input.unit), ("position", "职务", input.position)] {
            guard (1...100).contains(value.trimmingCharacters(in: .whitespaces).count) else {
                throw DomainError.officerTextLength(field: field, label: zh)
            }
        }
        let idNumber = try ResidentIDNumber(input.idNumber)
        let contact = try input.contact.flatMap { $0.isEmpty ? nil : try ContactDetails.validate($0) }
        let result = try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            var userID: UUID?
            if let username = input.username, !username.isEmpty {
                guard let user = try await tx.user(username: username) else {
                    throw DomainError.noSuchUser(username)
                }
                userID = user.id
            }
            let officer = try NewOfficer(
                name: input.name.trimmingCharacters(in: .whitespaces), unit: input.unit.trimmingCharacters(in: .whitespaces),
                position: input.position.trimmingCharacters(in: .whitespaces), userID: userID, idNumber: idNumber,
                contact: contact, keys: secrets.personalData)
            let id = try await tx.credentials.insertOfficer(officer, at: now)
            call.target("officer:\(id.uuidString.lowercased())")
            return try await view(of: id, for: caller, tx: tx)
        }
        return result
    }

    public func officer(_ caller: Caller, id: UUID) async throws -> OfficerView {
        try await store.transaction(agency: caller.agency.id, .read) { tx in try await view(of: id, for: caller, tx: tx) }
    }

    /// The caller's own officer record (an officer asking "who am I in the corps?").
    public func ownOfficer(_ caller: Caller) async throws -> OfficerView {
        try await store.transaction(agency: caller.agency.id, .read) { tx in
            guard let officer = try await tx.credentials.officer(userID: caller.userID) else {
                throw DomainError.noOfficerForAccount
            }
            return try await view(of: officer.id, for: caller, tx: tx)
        }
    }

    public func officers(_ caller: Caller, after: (name: String, id: UUID)?, limit: Int) async throws -> [OfficerView] {
        guard Self.readsEveryone(caller) else { throw DomainError.ownRecordOnly }
        return try await store.transaction(agency: caller.agency.id, .read) { tx in
            try await views(of: try await tx.credentials.officers(after: after, limit: limit), for: caller, tx: tx)
        }
    }

    /// 资格考试: records an exam result (day and score out of 100).
    public func recordExam(_ caller: Caller, officerID: UUID, day: CalendarDay, score: Int, call: CallAudit, now: Moment) async throws -> OfficerView
    {
        guard (0...100).contains(score) else {
            throw DomainError.examScoreOutOfRange
        }
        guard day <= now.day else {
            throw DomainError.examDayInFuture
        }
        return try await changeOfficer(caller, officerID, call: call, now: now.instant) { tx in
            try await tx.credentials.insertExamResult(officerID: officerID, .init(day: day, score: score), recordedBy: caller.userID)
        }
    }

    /// 培训学时: sets the officer's training hours of a year (the year's total).
    public func setTrainingHours(_ caller: Caller, officerID: UUID, year: Int, hours: Int, call: CallAudit, now: Moment) async throws -> OfficerView {
        guard (2000...now.day.year).contains(year) else {
            throw DomainError.reviewYearOutOfRange
        }
        guard (0...2000).contains(hours) else {
            throw DomainError.trainingHoursOutOfRange
        }
        return try await changeOfficer(caller, officerID, call: call, now: now.instant) { tx in
            try await tx.credentials.setTrainingHours(officerID: officerID, year: year, hours: hours)
        }
    }

    private func changeOfficer(
        _ caller: Caller, _ officerID: UUID, call: CallAudit, now: Date,
        _ body: @escaping @Sendable (any TenantTransaction) async throws -> Void
    ) async throws -> OfficerView {
        call.target("officer:\(officerID.uuidString.lowercased())")
        let result = try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            guard try await tx.credentials.officer(id: officerID) != nil else { throw DomainError.noSuchOfficer }
            try await body(tx)
            return try await view(of: officerID, for: caller, tx: tx)
        }
        return result
    }

    /// A credential, for its holder, credential administrators and auditors.
    public func credential(_ caller: Caller, id: UUID, at now: Moment) async throws -> CredentialStatus {
        try await store.transaction(agency: caller.agency.id, .read) { tx in
            guard let (credential, _) = try await tx.credentials.credential(id: id, locking: false) else {
                throw DomainError.noSuchCredential
            }
            try await Self.checkReadable(officerID: credential.officerID, by: caller, tx: tx)
            return CredentialStatus(credential, on: now.day, rules: try CredentialRules(settings: try await tx.settings()))
        }
    }

    /// The officer's credentials; a nil officer means the caller's own.
    public func credentials(_ caller: Caller, officerID: UUID?, at now: Moment) async throws -> [CredentialStatus] {
        try await store.transaction(agency: caller.agency.id, .read) { tx in
            let officerID = try await Self.officerID(officerID, of: caller, tx: tx)
            try await Self.checkReadable(officerID: officerID, by: caller, tx: tx)
            let rules = try CredentialRules(settings: try await tx.settings())
            return try await tx.credentials.credentials(officerID: officerID).map { CredentialStatus($0, on: now.day, rules: rules) }
        }
    }

    static func officerID(_ given: UUID?, of caller: Caller, tx: any TenantTransaction) async throws -> UUID {
        if let given { return given }
        guard let own = try await tx.credentials.officer(userID: caller.userID) else {
            throw DomainError.noOfficerForAccount
        }
        return own.id
    }

    /// May this officer act, at `now`, on this enforcement category in this area?
    public func authority(_ caller: Caller, officerID: UUID, category: String, area: DivisionCode, at now: Moment) async throws -> Authority {
        try await store.transaction(agency: caller.agency.id, .read) { tx in
            try await Self.checkReadable(officerID: officerID, by: caller, tx: tx)
            return try await Authority.of(officerID: officerID, category: category, area: area, at: now, in: tx)
        }
    }

    private func view(of id: UUID, for caller: Caller, tx: any TenantTransaction) async throws -> OfficerView {
        guard let officer = try await tx.credentials.officer(id: id) else { throw DomainError.noSuchOfficer }
        guard Self.readsEveryone(caller) || officer.userID == caller.userID else { throw DomainError.ownRecordOnly }
        return try await views(of: [officer], for: caller, tx: tx)[0]
    }

    /// The officers as `caller` may see them, with exams and training hours: one query for
    /// each kind of record, however many officers.
    private func views(of officers: [Officer], for caller: Caller, tx: any TenantTransaction) async throws -> [OfficerView] {
        let ids = officers.map(\.id)
        let exams = try await tx.credentials.examResults(officerIDs: ids)
        let hours = try await tx.credentials.trainingHours(officerIDs: ids)
        let passMark = try CredentialRules(settings: try await tx.settings()).passMark
        return try officers.map { officer in
            try OfficerView(
                officer, viewer: caller, keys: secrets.personalData, examResults: exams[officer.id] ?? [],
                trainingHours: hours[officer.id] ?? [:], passMark: passMark)
        }
    }

    static func readsEveryone(_ caller: Caller) -> Bool {
        caller.roles.contains(.credentialAdmin) || caller.roles.contains(.auditor)
    }

    static func checkReadable(officerID: UUID, by caller: Caller, tx: any TenantTransaction) async throws {
        if readsEveryone(caller) { return }
        guard let own = try await tx.credentials.officer(userID: caller.userID), own.id == officerID else { throw DomainError.ownRecordOnly }
    }

}

extension Authority {
    /// The officer's authority from all their credentials, inside the caller's transaction:
    /// every act of a later issue asks this.
    public static func of(
        officerID: UUID, category: String, area: DivisionCode, at now: Moment, in tx: any TenantTransaction
    ) async throws -> Authority {
        let rules = try CredentialRules(settings: try await tx.settings())
        return of(try await tx.credentials.credentials(officerID: officerID), category: category, area: area, on: now.day, rules: rules)
    }

    /// The authority of each of `officerIDs`, their credentials read together.
    public static func of(
        officerIDs: Set<UUID>, category: String, area: DivisionCode, at now: Moment,
        in tx: any TenantTransaction
    ) async throws -> [UUID: Authority] {
        guard !officerIDs.isEmpty else { return [:] }
        let rules = try CredentialRules(settings: try await tx.settings())
        let credentials = try await tx.credentials.credentials(officerIDs: Array(officerIDs))
        return Dictionary(
            uniqueKeysWithValues: officerIDs.map { officer in
                (officer, of(credentials[officer] ?? [], category: category, area: area, on: now.day, rules: rules))
            })
    }
}
