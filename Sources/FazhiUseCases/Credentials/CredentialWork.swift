import FazhiRules
import Foundation

/// 证件管理: the credential administrators' decisions on credentials, each in one
/// transaction with its transitions, its public-record entries and the call's audit row.
public struct CredentialWork: Sendable {
    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    /// 申领: an application for the officer, backed by their most recent exam that is
    /// passed and recent enough. The area defaults to the agency's division.
    public func applyForCredential(
        officerID: UUID, categories: [String], areas: [String], agency: Agency, actor: String, reason: String,
        at now: Moment, call: CallAudit? = nil
    ) async throws -> CredentialStatus {
        let categories = try Self.validCategories(categories)
        let areas = try (areas.isEmpty ? [agency.divisionCode] : areas).map(DivisionCode.init)
        try Self.validReason(reason)
        let credential = try await store.transaction(agency: agency.id, .write(for: call)) { tx in
            let rules = try CredentialRules(settings: try await tx.settings())
            guard try await tx.credentials.officer(id: officerID) != nil else { throw DomainError.noSuchOfficer }
            let exams = try await tx.credentials.examResults(officerID: officerID)
            guard let newest = exams.first else {
                throw DomainError.noExamOnRecord
            }
            let exam = exams.first { (try? Credential.checkExam($0, on: now.day, rules: rules)) != nil } ?? newest
            let credential = try Credential.apply(
                id: UUID(), officerID: officerID, categories: categories, areas: areas, exam: exam,
                by: actor, reason: reason, at: now, rules: rules)
            try await tx.credentials.insertCredential(credential)
            call?.target("credential:\(credential.id.uuidString.lowercased())")
            if let call { try await tx.appendAudit(call.record(status: "OK", reason: nil, now: now.instant)) }
            return CredentialStatus(credential, on: now.day, rules: rules)
        }
        call?.markWritten()
        return credential
    }

    /// 发证: approves the application and issues the credential under the agency's next number.
    public func issue(
        _ credentialID: UUID, agency: Agency, actor: String, reason: String, at now: Moment, call: CallAudit? = nil
    ) async throws -> CredentialStatus {
        try await change(credentialID, agency: agency, reason: reason, at: now, call: call) { tx, credential, rules in
            let next = try credential.applying(
                .issue(number: try await tx.credentials.nextCredentialNumber(agencyCode: agency.code, year: now.day.year)),
                by: actor, reason: reason, at: now, rules: rules)
            return (next, next)
        }
    }

    /// Applies `event` to the credential: read with a row lock, decide, save the new state
    /// and its transition together. Two administrators acting at once take turns, so the
    /// second sees the first one's result (and, for the same event, is refused). Issuing,
    /// renewing and replacing go through their own functions, which draw numbers.
    public func apply(
        _ event: Credential.Event, to credentialID: UUID, agency: Agency, actor: String, reason: String, at now: Moment,
        call: CallAudit? = nil
    ) async throws -> CredentialStatus {
        switch event {
        case .issue, .supersede:
            throw DomainError.numberedEventsHaveTheirOwnCalls
        default:
            return try await change(credentialID, agency: agency, reason: reason, at: now, call: call) { _, credential, rules in
                let next = try credential.applying(event, by: actor, reason: reason, at: now, rules: rules)
                return (next, next)
            }
        }
    }

    /// 年度审验: records the review of `year` with the training hours on record for it.
    public func review(
        _ credentialID: UUID, year: Int, outcome: Credential.Review.Outcome, agency: Agency, actor: String, reason: String,
        at now: Moment, call: CallAudit? = nil
    ) async throws -> CredentialStatus {
        try await change(credentialID, agency: agency, reason: reason, at: now, call: call) { tx, credential, rules in
            let hours = try await tx.credentials.trainingHours(officerID: credential.officerID)[year] ?? 0
            let review = Credential.Review(year: year, trainingHours: hours, outcome: outcome, reviewer: actor, recordedOn: now.day)
            let next = try credential.applying(.review(review), by: actor, reason: reason, at: now, rules: rules)
            return (next, next)
        }
    }

    /// 换发 (`replacement` false) or 补发 (true): the credential is superseded and its
    /// successor issued under the agency's next number. Returns the successor.
    public func succeed(
        _ credentialID: UUID, replacement: Bool, agency: Agency, actor: String, reason: String, at now: Moment,
        call: CallAudit? = nil
    ) async throws -> CredentialStatus {
        try await change(credentialID, agency: agency, reason: reason, at: now, call: call) { tx, credential, rules in
            let number = try await tx.credentials.nextCredentialNumber(agencyCode: agency.code, year: now.day.year)
            let (ended, successor) = try credential.succeeded(
                by: number, successorID: UUID(), replacement: replacement,
                by: actor, reason: reason, at: now, rules: rules)
            try await tx.credentials.insertCredential(successor)
            call?.target("credential:\(successor.id.uuidString.lowercased())")
            return (ended, successor)
        }
    }

    /// Loads the credential under its row lock, lets `decide` make the state to save (and
    /// the result to return), saves it with its transitions and public-record entries, and
    /// writes the call's audit row in the same transaction.
    private func change(
        _ credentialID: UUID, agency: Agency, reason: String, at now: Moment, call: CallAudit?,
        decide: @escaping @Sendable (any TenantTransaction, Credential, CredentialRules) async throws -> (save: Credential, result: Credential)
    ) async throws -> CredentialStatus {
        try Self.validReason(reason)
        call?.target("credential:\(credentialID.uuidString.lowercased())")
        let result = try await store.transaction(agency: agency.id, .write(for: call)) { tx in
            let rules = try CredentialRules(settings: try await tx.settings())
            guard let (credential, version) = try await tx.credentials.credential(id: credentialID, locking: true) else {
                throw DomainError.noSuchCredential
            }
            let (next, result) = try await decide(tx, credential, rules)
            guard try await tx.credentials.save(next, readAt: version) else {
                throw DomainError.credentialChangedMeanwhile
            }
            try await Self.queuePublicRecords(next, after: credential.history.count, tx: tx)
            // A successor (renewal, replacement) is announced after the credential it ends.
            if result.id != next.id { try await Self.queuePublicRecords(result, after: 0, tx: tx) }
            if let call { try await tx.appendAudit(call.record(status: "OK", reason: nil, now: now.instant)) }
            return CredentialStatus(result, on: now.day, rules: rules)
        }
        call?.markWritten()
        return result
    }

    static func queuePublicRecords(_ credential: Credential, after stored: Int, tx: any TenantTransaction) async throws {
        let entries = PublicRecordEntry.entries(for: credential, after: stored, holderName: "")
        guard !entries.isEmpty else { return }
        let holder = try await tx.credentials.officer(id: credential.officerID)?.name ?? ""
        for var entry in entries {
            entry.holderName = holder
            try await tx.credentials.queuePublicRecord(entry)
        }
    }

    static func validCategories(_ names: [String]) throws -> Set<String> {
        let trimmed = names.map { $0.trimmingCharacters(in: .whitespaces) }
        guard !trimmed.isEmpty else {
            throw DomainError.categoriesMissing
        }
        guard trimmed.count <= 20, trimmed.allSatisfy({ (1...50).contains($0.count) }) else {
            throw DomainError.categoriesTooMany
        }
        return Set(trimmed)
    }

    static func validReason(_ reason: String) throws {
        guard (1...500).contains(reason.trimmingCharacters(in: .whitespacesAndNewlines).count) else {
            throw DomainError.reasonRequired
        }
    }
}
