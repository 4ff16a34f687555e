/// May this officer act, now, on this matter? Every act asks this one function.
public enum Authority: Sendable, Equatable {
    case allowed(credentialNumber: String)
    case denied(Refusal)

    public enum Refusal: String, Sendable, Equatable, CaseIterable {
        case noCredential = "NO_CREDENTIAL"
        case suspended = "CREDENTIAL_SUSPENDED"
        case revoked = "CREDENTIAL_REVOKED"
        case expired = "CREDENTIAL_EXPIRED"
        case overdueForReview = "CREDENTIAL_REVIEW_OVERDUE"
        case categoryNotCovered = "CATEGORY_NOT_COVERED"
        case areaNotCovered = "AREA_NOT_COVERED"
    }

    /// The officer's authority from their credentials (any state), for an enforcement
    /// category and a division, on `day`. The best credential decides: one that allows,
    /// otherwise the most specific refusal.
    public static func of(_ credentials: [Credential], category: String, area: DivisionCode, on day: CalendarDay, rules: CredentialRules) -> Authority
    {
        var refusals: [Refusal] = []
        for credential in credentials {
            switch check(credential, category: category, area: area, on: day, rules: rules) {
            case .allowed(let number): return .allowed(credentialNumber: number)
            case .denied(let refusal): refusals.append(refusal)
            }
        }
        // Report what the officer can act on: a scope problem before a status problem.
        let order: [Refusal] = [.categoryNotCovered, .areaNotCovered, .overdueForReview, .suspended, .expired, .revoked, .noCredential]
        return .denied(order.first(where: refusals.contains) ?? .noCredential)
    }

    static func check(_ credential: Credential, category: String, area: DivisionCode, on day: CalendarDay, rules: CredentialRules) -> Authority {
        if let refusal = credential.standing(on: day, rules: rules) { return .denied(refusal) }
        guard let number = credential.number else { return .denied(.noCredential) }
        guard credential.categories.contains(category) else { return .denied(.categoryNotCovered) }
        guard credential.areas.contains(where: { $0.contains(area) }) else { return .denied(.areaNotCovered) }
        return .allowed(credentialNumber: number)
    }
}

extension Credential {
    /// Why this credential cannot be used on `day`, whatever the matter, or nil when it is
    /// in force: issued, active, within its term and not overdue for review.
    public func standing(on day: CalendarDay, rules: CredentialRules) -> Authority.Refusal? {
        switch state {
        case .applied, .rejected, .superseded: return .noCredential
        case .revoked: return .revoked
        case .expired: return .expired
        case .suspended: return .suspended
        case .active: break
        }
        guard number != nil, let validFrom, let validUntil, validFrom <= day else { return .noCredential }
        guard day <= validUntil else { return .expired }
        guard overdueReview(on: day, rules: rules) == nil else { return .overdueForReview }
        return nil
    }
}
