import FazhiRules
import Foundation

/// Turns the public-record outbox into disclosure entries: each row's public content is
/// built, redacted and given its due day; it is published at once, or left as a draft
/// for a compliance officer when the agency's settings ask for review before release.
/// One transaction per row, so a failure costs one row and the rest go on. Several
/// publishers (servers, a demo load) share the outbox: each row is claimed with a lock
/// that others skip, so none of them trips over another's work.
public struct DisclosurePublishingWork: Sendable {
    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    /// Works through the agency's outbox; returns how many entries it made.
    @discardableResult
    public func run(agency: Agency, at now: Moment, batch: Int = 100) async throws -> Int {
        var made = 0
        while true {
            let rows = try await store.transaction(agency: agency.id, .read) { tx in try await tx.disclosures.pendingOutbox(limit: batch) }
            var claimed = 0
            for row in rows {
                let published = try await store.transaction(agency: agency.id, .write(for: nil)) { tx -> Bool in
                    // Another publisher has this row, or has published it since it was read.
                    guard try await tx.disclosures.claimOutbox(id: row.id) else { return false }
                    var entry = try await Self.entry(for: row, tx: tx)
                    let review = try await tx.settings().boolean("disclosure.review_before_release")
                    if !review { try entry.publish(at: now, by: nil, origin: DisclosureLogWork.origin(of: agency)) }
                    try await tx.disclosures.insert(entry, sourceOutbox: row.id, at: now.instant)
                    try await tx.disclosures.markOutboxPublished(id: row.id, at: now.instant)
                    return true
                }
                if published { claimed += 1 }
            }
            made += claimed
            // A short batch is the end; so is one whose rows all belong to other publishers.
            if rows.count < batch || claimed == 0 { return made }
        }
    }

    static func entry(for row: OutboxRecord, tx: any TenantTransaction) async throws -> DisclosureEntry {
        let occurred = Moment(instant: row.occurredAt).day
        switch row.payload {
        case .enforcementPersonnel(let record):
            let due = try await priorDue(after: occurred, tx: tx)
            return DisclosureEntry(
                action: .publish, kind: .enforcementPersonnel, subject: record.subject,
                title: "执法人员名单变更：\(record.holderName)（\(record.subject)）\(Self.eventName(record.event))",
                content: [
                    "holder_name": record.holderName, "credential_number": record.subject, "event": record.event, "state": record.state,
                    "categories": record.categories.joined(separator: "、"), "areas": record.areas.joined(separator: "、"),
                    "valid_from": record.validFrom ?? "", "valid_until": record.validUntil ?? "", "successor": record.successor ?? "",
                ],
                category: record.categories.first, occurredOn: occurred, due: due.day, dueProvisional: due.provisional)
        case .powerList(let changes):
            let due = try await priorDue(after: occurred, tx: tx)
            return DisclosureEntry(
                action: .publish, kind: .powerList, subject: "v\(changes.version)", title: "权责清单第\(changes.version)版",
                content: [
                    "version": String(changes.version), "added": changes.added.joined(separator: "、"),
                    "changed": changes.changed.joined(separator: "、"),
                    "removed": changes.removed.joined(separator: "、"), "reason": changes.reason,
                ],
                occurredOn: occurred, due: due.day, dueProvisional: due.provisional)
        case .decision(let disclosure):
            return try await decisionEntry(disclosure, tx: tx)
        }
    }

    static func priorDue(after day: CalendarDay, tx: any TenantTransaction) async throws -> WorkingDayCalendar.Answer {
        try await tx.workingDayCalendar().addingWorkingDays(try tx.settings().integer("disclosure.prior_working_days"), after: day)
    }

    /// 事后公开: the decision as the public may read it. A person's name is masked, the
    /// free text redacted; officers and organizations stay named.
    static func decisionEntry(_ disclosure: DecisionDisclosure, tx: any TenantTransaction) async throws -> DisclosureEntry {
        guard let (kase, _) = try await tx.cases.kase(id: disclosure.caseID, locking: false), let decision = kase.decision else {
            throw DomainError.decisionCaseMissing
        }
        let party = try await tx.parties.party(id: kase.partyID)
        var officers: [(name: String, credentialNumber: String)] = []
        for participant in kase.history.flatMap(\.participants)
        where !officers.contains(where: { $0.credentialNumber == participant.credentialNumber }) {
            officers.append((try await tx.credentials.officer(id: participant.officerID)?.name ?? "", participant.credentialNumber))
        }
        let settings = try await tx.settings()
        let rules = RedactionRules.standard(
            extraNameKeywords: try settings.text("disclosure.redaction_name_keywords"),
            extraAddressKeywords: try settings.text("disclosure.redaction_address_keywords"))
        let person = party?.kind == .person
        let redactor = Redactor(
            rules: rules, knownNames: person ? [party?.name ?? ""] : [],
            publicNames: Set(officers.map(\.name)))
        let partyName = party.map { person ? Redactor.mask($0.name) : $0.name } ?? ""
        return DisclosureEntry(
            action: .publish, kind: .decision, subject: decision.documentNumber,
            title: "\(kase.item.name)决定 \(decision.documentNumber)",
            content: [
                "document_number": decision.documentNumber, "item_code": kase.item.code, "item_name": kase.item.name,
                "power_category": kase.item.category.rawValue, "enforcement_category": kase.item.enforcementCategory,
                "party": partyName, "party_type": party?.kind.rawValue ?? "", "credit_code": person ? "" : (party?.creditCode ?? ""),
                "outcome": redactor.redact(decision.outcome), "legal_basis": redactor.redact(decision.legalBasis),
                "fine": decision.fine.map { "\($0)" } ?? "", "decided_on": disclosure.decidedOn.description,
                "officers": officers.map { "\($0.name)（\($0.credentialNumber)）" }.joined(separator: "、"), "unit": kase.item.unit,
            ],
            category: kase.item.enforcementCategory, partyType: party?.kind.rawValue, itemCode: kase.item.code,
            occurredOn: disclosure.decidedOn, due: disclosure.due, dueProvisional: disclosure.provisional)
    }

    static func eventName(_ event: String) -> String { Credential.EventName.label(of: event).zh }
}
