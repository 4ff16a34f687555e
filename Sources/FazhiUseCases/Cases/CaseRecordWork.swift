import FazhiRules
import Foundation

extension CaseWork {
    /// Before an upload: the case exists and is open, and the caller is an officer.
    public func checkEvidenceUpload(_ caller: Caller, caseID: UUID) async throws {
        try await store.transaction(agency: caller.agency.id, .read) { tx in
            guard let (kase, _) = try await tx.cases.kase(id: caseID, locking: false) else {
                throw DomainError.noSuchCase
            }
            guard kase.status == .open else { throw DomainError.caseClosed }
            _ = try await Self.ownOfficer(caller, tx)
        }
    }

    /// Records a kept evidence file in the case's record; the same file for the same step
    /// again returns the entry already made.
    public func attachEvidence(
        _ caller: Caller, caseID: UUID, step: CaseStep, sha256: String, text: String,
        call: CallAudit, at now: Moment
    ) async throws -> CaseRecordEntry {
        try Self.validText(text)
        call.target("case:\(caseID.uuidString.lowercased())", "evidence:\(sha256)")
        let result = try await store.change(agency: caller.agency.id, call: call, at: now.instant) { tx in
            guard let (kase, _) = try await tx.cases.kase(id: caseID, locking: true) else {
                throw DomainError.noSuchCase
            }
            guard kase.status == .open else { throw DomainError.caseClosed }
            let officer = try await Self.ownOfficer(caller, tx)
            let record = try await tx.cases.record(caseID: caseID)
            if let existing = record.first(where: { $0.event == "evidence" && $0.step == step.rawValue && $0.evidence == [sha256] }) {
                return existing
            }
            var entry = CaseRecordEntry(
                step: step.rawValue, event: "evidence", actor: caller.userID, officers: [officer], text: text,
                evidence: [sha256], at: now.instant)
            entry.id = try await tx.cases.appendRecord(caseID: caseID, entry)
            return entry
        }
        return result
    }

    /// Whether the case's record refers to this file (only then may it be read through the case).
    public func evidenceBelongs(_ caller: Caller, caseID: UUID, sha256: String) async throws -> Bool {
        try await store.transaction(agency: caller.agency.id, .read) { tx in
            try await tx.cases.record(caseID: caseID).contains { $0.evidence.contains(sha256) }
        }
    }

    /// 更正: a new entry pointing at the one it corrects; the old entry stays as it was.
    public func correct(_ caller: Caller, caseID: UUID, entryID: Int64, text: String, call: CallAudit, at now: Moment) async throws -> CaseRecordEntry
    {
        guard (1...10_000).contains(text.trimmingCharacters(in: .whitespacesAndNewlines).count) else {
            throw DomainError.correctionTextMissing
        }
        call.target("case:\(caseID.uuidString.lowercased())", "record:\(entryID)")
        let result = try await store.change(agency: caller.agency.id, call: call, at: now.instant) { tx in
            guard try await tx.cases.kase(id: caseID, locking: true) != nil else {
                throw DomainError.noSuchCase
            }
            guard let original = try await tx.cases.record(caseID: caseID).first(where: { $0.id == entryID }) else {
                throw DomainError.noSuchRecordEntry
            }
            let officer = try await Self.ownOfficer(caller, tx)
            var entry = CaseRecordEntry(
                step: original.step, event: "correction", actor: caller.userID, officers: [officer], text: text,
                corrects: entryID, at: now.instant)
            entry.id = try await tx.cases.appendRecord(caseID: caseID, entry)
            return entry
        }
        return result
    }
}
