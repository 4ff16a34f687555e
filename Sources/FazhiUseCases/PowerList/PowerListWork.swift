import FazhiRules
import Foundation

/// 权责清单: administrators edit a draft and publish it as the next numbered version;
/// anyone reads the published versions. 法无授权不可为: later acts cite an item of the
/// version in force.
public struct PowerListWork: Sendable {
    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    public func draft(_ caller: Caller) async throws -> [PowerItem] {
        try await store.transaction(agency: caller.agency.id, .read) { try await $0.powerList.draft() }
    }

    /// Adds the item to the draft, or replaces the draft's item with its code.
    public func putItem(_ caller: Caller, _ item: PowerItem, call: CallAudit, now: Date) async throws -> PowerItem {
        call.target("power_item:\(item.code)")
        return try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            let valid = try item.validated(minimumOthers: try await tx.settings().integer("case.minimum_officers_other"))
            try await tx.powerList.putDraftItem(valid, by: caller.userID, at: now)
            return valid
        }
    }

    public func removeItem(_ caller: Caller, code: String, call: CallAudit, now: Date) async throws {
        call.target("power_item:\(code)")
        try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            guard try await tx.powerList.removeDraftItem(code: code) else {
                throw DomainError.noSuchDraftItem(code)
            }
        }
    }

    /// Replaces the whole draft (a list loaded from a file); every item is checked first.
    public func replaceDraft(_ caller: Caller, _ items: [PowerItem], call: CallAudit, now: Date) async throws -> [PowerItem] {
        guard Set(items.map(\.code)).count == items.count else {
            throw DomainError.itemCodeTwice
        }
        return try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            let minimum = try await tx.settings().integer("case.minimum_officers_other")
            let valid = try items.map { try $0.validated(minimumOthers: minimum) }.sorted { $0.code < $1.code }
            try await tx.powerList.replaceDraft(valid, by: caller.userID, at: now)
            return valid
        }
    }

    /// Publishes the draft as the next version and queues the announcement of what changed.
    public func publish(_ caller: Caller, reason: String, call: CallAudit, now: Date) async throws -> PowerListVersion {
        guard (1...500).contains(reason.trimmingCharacters(in: .whitespacesAndNewlines).count) else {
            throw DomainError.publishReasonRequired
        }
        return try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            let version = try await Self.publishDraft(tx, by: caller.username, reason: reason, now: now)
            call.target("power_list:v\(version.version)")
            return version
        }
    }

    /// The draft as the next version, with its announcement queued.
    static func publishDraft(_ tx: any TenantTransaction, by username: String, reason: String, now: Date) async throws -> PowerListVersion {
        let items = try await tx.powerList.draft()
        guard !items.isEmpty else {
            throw DomainError.draftEmpty
        }
        let previous = try await tx.powerList.version(nil)
        let number = (previous?.version ?? 0) + 1
        let changes = PowerListChanges(from: previous?.items ?? [], to: items, version: number, reason: reason)
        guard !changes.isEmpty else {
            throw DomainError.draftUnchanged(since: number - 1)
        }
        let version = PowerListVersion(version: number, publishedAt: now, publishedBy: username, reason: reason, items: items)
        try await tx.powerList.insertVersion(version)
        try await tx.powerList.queuePublication(changes, at: now)
        return version
    }

    /// Loads a first list into an agency that has none and publishes it as version 1 (the
    /// demo agency of `fazhi dev`); an agency with a published list is left alone.
    public func publishInitial(
        _ items: [PowerItem], agency: Agency, by user: UUID, username: String, reason: String, now: Date
    ) async throws -> PowerListVersion? {
        try await store.transaction(agency: agency.id, .write(for: nil)) { tx in
            guard try await tx.powerList.version(nil) == nil else { return nil }
            let minimum = try await tx.settings().integer("case.minimum_officers_other")
            try await tx.powerList.replaceDraft(try items.map { try $0.validated(minimumOthers: minimum) }, by: user, at: now)
            return try await Self.publishDraft(tx, by: username, reason: reason, now: now)
        }
    }

    /// A published version (the latest when nil) of any agency's list, for anyone.
    public func published(agencyCode: String, version: Int?) async throws -> (Agency, PowerListVersion) {
        let agency = try await Self.publicAgency(agencyCode, store: store)
        guard let published = try await store.transaction(agency: agency.id, .read, { try await $0.powerList.version(version) }) else {
            throw DomainError.noSuchPowerList(version: version)
        }
        return (agency, published)
    }

    public func versions(agencyCode: String) async throws -> [PowerListVersion] {
        let agency = try await Self.publicAgency(agencyCode, store: store)
        return try await store.transaction(agency: agency.id, .read) { try await $0.powerList.versions() }
    }

    static func publicAgency(_ code: String, store: any TenantStore) async throws -> Agency {
        guard let agency = try await store.publicAgency(code: code) else {
            throw DomainError.noSuchAgency
        }
        return agency
    }
}
