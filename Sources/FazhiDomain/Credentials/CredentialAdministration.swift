import Foundation

/// 证件管理: the use cases of credential administrators, each in one transaction.
public struct CredentialAdministration: Sendable {
    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    /// 发证: approves the application and issues the credential under the agency's next number.
    public func issue(_ credentialID: UUID, agency: Agency, actor: String, reason: String, at now: Moment) async throws -> Credential {
        try await change(credentialID, agency: agency, actor: actor, reason: reason, at: now) { tx in
            .issue(number: try await tx.credentials.nextCredentialNumber(agencyCode: agency.code, year: now.day.year))
        }
    }

    /// Applies `event` to the credential: read with a row lock, decide, save the new state
    /// and its transition together. Two administrators acting at once take turns, so the
    /// second sees the first one's result (and, for the same event, is refused). Issuing
    /// goes through `issue`, which draws the number.
    public func apply(_ event: Credential.Event, to credentialID: UUID, agency: Agency, actor: String, reason: String, at now: Moment) async throws -> Credential {
        if case .issue = event {
            throw DomainError.invalidArgument(field: "event", zh: "发证须经编号分配", en: "issuing draws its number: use issue")
        }
        return try await change(credentialID, agency: agency, actor: actor, reason: reason, at: now) { _ in event }
    }

    private func change(_ credentialID: UUID, agency: Agency, actor: String, reason: String, at now: Moment,
                        event: @escaping @Sendable (any TenantTransaction) async throws -> Credential.Event) async throws -> Credential {
        try await store.transaction(agency: agency.id, readOnly: false) { tx in
            let rules = try CredentialRules(settings: try await tx.settings())
            guard let (credential, version) = try await tx.credentials.credential(id: credentialID, locking: true) else {
                throw DomainError.notFound("credential", zh: "证件不存在", en: "no such credential")
            }
            let next = try credential.applying(try await event(tx), by: actor, reason: reason, at: now, rules: rules)
            guard try await tx.credentials.save(next, readAt: version) else {
                throw DomainError(.failedPrecondition, zh: "证件已被他人修改，请重试", en: "the credential changed meanwhile; try again")
            }
            return next
        }
    }

    /// What the daily sweep did to one agency on `now.day`.
    public struct SweepReport: Sendable, Equatable {
        public var expired: [String] = []
        public var suspended: [String] = []

        public init(expired: [String] = [], suspended: [String] = []) {
            self.expired = expired
            self.suspended = suspended
        }
    }

    /// 定期核查: expires credentials past their term and suspends those whose previous
    /// year's review is overdue. Each credential is decided under its row lock, so the
    /// sweep is idempotent and safe beside administrators at work: a second run finds
    /// nothing to do.
    public func sweep(agency: Agency, at now: Moment) async throws -> SweepReport {
        let candidates = try await store.transaction(agency: agency.id, readOnly: true) { try await $0.credentials.sweepCandidates() }
        var report = SweepReport()
        for id in candidates {
            let outcome: (Credential.Event, String?)? = try await store.transaction(agency: agency.id, readOnly: false) { tx in
                let rules = try CredentialRules(settings: try await tx.settings())
                guard let (credential, version) = try await tx.credentials.credential(id: id, locking: true),
                      let event = credential.sweep(on: now.day, rules: rules) else { return nil }
                let reason = event == .expire ? "有效期届满 / the term ended" : "逾期未年度审验 / the annual review is overdue"
                let next = try credential.applying(event, by: "system:sweep", reason: reason, at: now, rules: rules)
                guard try await tx.credentials.save(next, readAt: version) else { return nil }
                return (event, next.number)
            }
            switch outcome {
            case let (.expire, number)?: report.expired.append(number ?? id.uuidString)
            case let (.suspend, number)?: report.suspended.append(number ?? id.uuidString)
            default: break
            }
        }
        return report
    }
}
