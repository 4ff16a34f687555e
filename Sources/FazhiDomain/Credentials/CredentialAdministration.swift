import Foundation

/// 证件管理: the use cases of credential administrators, each in one transaction.
public struct CredentialAdministration: Sendable {
    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    /// Applies `event` to the credential: read with a row lock, decide, save the new state
    /// and its transition together. Two administrators acting at once take turns, so the
    /// second sees the first one's result (and, for the same event, is refused).
    public func apply(_ event: Credential.Event, to credentialID: UUID, agency: Agency, actor: String, reason: String, at now: Moment) async throws -> Credential {
        try await store.transaction(agency: agency.id, readOnly: false) { tx in
            let rules = try CredentialRules(settings: try await tx.settings())
            guard let (credential, version) = try await tx.credentials.credential(id: credentialID, locking: true) else {
                throw DomainError.notFound("credential", zh: "证件不存在", en: "no such credential")
            }
            var resolved = event
            if case .issue = event {
                resolved = .issue(number: try await tx.credentials.nextCredentialNumber(agencyCode: agency.code, year: now.day.year))
            }
            let next = try credential.applying(resolved, by: actor, reason: reason, at: now, rules: rules)
            guard try await tx.credentials.save(next, readAt: version) else {
                throw DomainError(.failedPrecondition, zh: "证件已被他人修改，请重试", en: "the credential changed meanwhile; try again")
            }
            return next
        }
    }
}
