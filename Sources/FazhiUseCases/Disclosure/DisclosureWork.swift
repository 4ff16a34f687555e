import FazhiRules
import Foundation

/// What people do with disclosures: the public reads them; a compliance officer releases
/// drafts and corrects inaccurate entries; an approver withdraws a decision that was
/// changed, revoked, or found unlawful or void (行政处罚法 art. 48, 85), with a public reason.
public struct DisclosureWork: Sendable {
    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    // MARK: Reading

    public func publicEntries(
        agency: Agency, _ filter: DisclosureFilter, after: (publishedAt: Date, id: UUID)?, limit: Int
    ) async throws -> [DisclosureEntry] {
        try await store.transaction(agency: agency.id, .read) { tx in
            try await tx.disclosures.publicEntries(filter, after: after, limit: limit)
        }
    }

    /// Drafts waiting for release, earliest due first, each with how it stands on `day`.
    public func due(_ caller: Caller, on day: CalendarDay, limit: Int) async throws -> [(DisclosureEntry, DueStanding)] {
        try await store.transaction(agency: caller.agency.id, .read) { tx in
            let calendar = try await tx.workingDayCalendar()
            return try await tx.disclosures.drafts(limit: limit).map { ($0, DueStanding.of($0.due, on: day, calendar: calendar)) }
        }
    }

    /// How a draft stands against its due day.
    public enum DueStanding: String, Sendable {
        /// Due within three working days (or today).
        case dueSoon = "due_soon"
        case overdue
        case onTrack = "on_track"

        static func of(_ due: CalendarDay?, on day: CalendarDay, calendar: WorkingDayCalendar) -> DueStanding {
            guard let due else { return .onTrack }
            if day > due { return .overdue }
            return calendar.addingWorkingDays(3, after: day).day >= due ? .dueSoon : .onTrack
        }
    }

    // MARK: Changing

    /// Releases a redacted draft: it is published now (late when past its due day).
    public func release(_ caller: Caller, entryID: UUID, call: CallAudit, at now: Moment) async throws -> DisclosureEntry {
        call.target("disclosure:\(entryID.uuidString.lowercased())")
        return try await work(caller, call: call, at: now) { tx in
            var entry = try await Self.entry(entryID, tx)
            try entry.publish(at: now, by: caller.userID, origin: DisclosureLogWork.origin(of: caller.agency))
            try await tx.disclosures.save(entry)
            return entry
        }
    }

    /// Withdraws a published entry: its content leaves every public answer; a public
    /// withdrawal notice with the reason takes its place in the log, due within the
    /// agency's working days of `changedOn` (the day the decision was changed or revoked).
    public func withdraw(
        _ caller: Caller, entryID: UUID, reason: String, changedOn: CalendarDay, call: CallAudit, at now: Moment
    ) async throws -> DisclosureEntry {
        let reason = try Self.validReason(reason)
        guard changedOn <= now.day else {
            throw DomainError.changeDayInFuture
        }
        call.target("disclosure:\(entryID.uuidString.lowercased())")
        return try await work(caller, call: call, at: now) { tx in
            var entry = try await Self.entry(entryID, tx)
            let reason = try await Self.redactor(for: entry, tx).redact(reason)
            let days = try await tx.settings().integer("disclosure.withdrawal_working_days")
            let due = try await tx.workingDayCalendar().addingWorkingDays(days, after: changedOn)
            var notice = DisclosureEntry(
                action: .withdraw, kind: entry.kind, subject: entry.subject, title: "撤回：\(entry.title)", refersTo: entry.id,
                content: [
                    "withdrawn_entry": entry.id.uuidString.lowercased(), "withdrawn_subject": entry.subject, "reason": reason,
                    "changed_on": changedOn.description,
                ],
                category: entry.category, partyType: entry.partyType, itemCode: entry.itemCode,
                occurredOn: changedOn, due: due.day, dueProvisional: due.provisional)
            try entry.withdraw(by: notice)
            try notice.publish(at: now, by: caller.userID, origin: DisclosureLogWork.origin(of: caller.agency))
            try await tx.disclosures.insert(notice, sourceOutbox: nil, at: now.instant)
            try await tx.disclosures.save(entry)
            call.target("disclosure:\(notice.id.uuidString.lowercased())")
            return notice
        }
    }

    /// Corrects an inaccurate entry: a new entry with the corrected fields (redacted like
    /// any other), pointing at the old one, which stays public, marked corrected.
    public func correct(
        _ caller: Caller, entryID: UUID, fields corrections: [String: String], reason: String,
        call: CallAudit, at now: Moment
    ) async throws -> DisclosureEntry {
        let reason = try Self.validReason(reason)
        guard !corrections.isEmpty else {
            throw DomainError.correctedFieldsMissing
        }
        call.target("disclosure:\(entryID.uuidString.lowercased())")
        return try await work(caller, call: call, at: now) { tx in
            var entry = try await Self.entry(entryID, tx)
            let unknown = Set(corrections.keys).subtracting(entry.fields.keys)
            guard unknown.isEmpty else {
                throw DomainError.unknownEntryFields(Array(unknown))
            }
            let redactor = try await Self.redactor(for: entry, tx)
            var content = entry.fields.merging(corrections.mapValues(redactor.redact)) { _, new in new }
            content["correction_reason"] = redactor.redact(reason)
            var correction = DisclosureEntry(
                action: .correct, kind: entry.kind, subject: entry.subject, title: "更正：\(entry.title)", refersTo: entry.id, content: content,
                category: entry.category, partyType: entry.partyType, itemCode: entry.itemCode, occurredOn: now.day, due: nil)
            try entry.correct(by: correction)
            try correction.publish(at: now, by: caller.userID, origin: DisclosureLogWork.origin(of: caller.agency))
            try await tx.disclosures.insert(correction, sourceOutbox: nil, at: now.instant)
            try await tx.disclosures.save(entry)
            call.target("disclosure:\(correction.id.uuidString.lowercased())")
            return correction
        }
    }

    // MARK: Inside the transaction

    private func work<T: Sendable>(
        _ caller: Caller, call: CallAudit, at now: Moment,
        _ body: @escaping @Sendable (any TenantTransaction) async throws -> T
    ) async throws -> T {
        try await store.change(agency: caller.agency.id, call: call, at: now.instant, body)
    }

    static func entry(_ id: UUID, _ tx: any TenantTransaction) async throws -> DisclosureEntry {
        guard let entry = try await tx.disclosures.entry(id: id, locking: true) else {
            throw DomainError.noSuchDisclosure
        }
        return entry
    }

    /// The redactor for what is published about `entry` after it (a correction, a
    /// withdrawal's reason): the agency's rules, the natural persons its case concerns, and
    /// the officers it names, who stay public.
    static func redactor(for entry: DisclosureEntry, _ tx: any TenantTransaction) async throws -> Redactor {
        let settings = try await tx.settings()
        let rules = RedactionRules.standard(
            extraNameKeywords: try settings.text("disclosure.redaction_name_keywords"),
            extraAddressKeywords: try settings.text("disclosure.redaction_address_keywords"))
        let persons = entry.kind == .decision ? try await tx.disclosures.personNames(decisionNumber: entry.subject) : []
        return Redactor(rules: rules, knownNames: persons, publicNames: Self.officerNames(in: entry.fields["officers"] ?? ""))
    }

    /// The officers' names in a decision's `officers` field (王晓明（411202-MZ-2023-00001）、…).
    static func officerNames(in field: String) -> Set<String> {
        Set(
            field.split(separator: "、").compactMap { officer in
                officer.split(separator: "（", maxSplits: 1).first.map { String($0).trimmingCharacters(in: .whitespaces) }
            }.filter { !$0.isEmpty })
    }

    static func validReason(_ reason: String) throws -> String {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (2...500).contains(trimmed.count) else {
            throw DomainError.publicReasonRequired
        }
        return trimmed
    }
}
