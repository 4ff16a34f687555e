import Crypto
import FazhiRules
import Foundation

/// 亮证核验: what anyone may learn about a credential, without signing in: the holder's
/// name, the agency, categories, area, status and validity. Never the ID number or contact
/// details.
public struct CredentialCard: Sendable, Equatable {
    public var number: String
    public var holderName: String
    public var agencyCode: String
    public var agencyName: String
    public var categories: [String]
    public var areas: [String]
    public var state: Credential.State
    public var validFrom: CalendarDay?
    public var validUntil: CalendarDay?
    /// Whether the holder may act on this day (in force, within the term, review not overdue).
    public var inForce: Bool

    public init(
        number: String, holderName: String, agencyCode: String, agencyName: String, categories: [String], areas: [String],
        state: Credential.State, validFrom: CalendarDay?, validUntil: CalendarDay?, inForce: Bool
    ) {
        self.number = number
        self.holderName = holderName
        self.agencyCode = agencyCode
        self.agencyName = agencyName
        self.categories = categories
        self.areas = areas
        self.state = state
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.inForce = inForce
    }
}

public enum VerificationAnswer: Sendable, Equatable {
    case found(CredentialCard)
    /// 无效: unknown number, or a forged or altered code. Says nothing more.
    case notValid
}

/// The public's questions, answered from the agency's records.
public struct VerificationWork: Sendable {
    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    /// The agency a credential number names: `<agency code>-<year>-<serial>`.
    static func agencyCode(ofNumber number: String) -> String? {
        let parts = number.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[parts.count - 2].count == 4, parts.last!.allSatisfy(\.isNumber) else { return nil }
        let code = parts.dropLast(2).joined(separator: "-")
        return AgencyCodeRule.isValid(code) ? code : nil
    }

    public func byNumber(_ number: String, on day: CalendarDay) async throws -> VerificationAnswer {
        let trimmed = number.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= 64, let code = Self.agencyCode(ofNumber: trimmed), let agency = try await store.publicAgency(code: code) else {
            return .notValid
        }
        return try await store.transaction(agency: agency.id, .read) { tx in
            guard let (credential, holder) = try await tx.credentials.credential(number: trimmed) else { return .notValid }
            let rules = try CredentialRules(settings: try await tx.settings())
            let inForce = credential.standing(on: day, rules: rules) == nil
            return .found(
                CredentialCard(
                    number: trimmed, holderName: holder, agencyCode: agency.code, agencyName: agency.name,
                    categories: credential.categories.sorted(), areas: credential.areas.map(\.code), state: credential.state,
                    validFrom: credential.validFrom, validUntil: credential.validUntil, inForce: inForce))
        }
    }

    /// A scanned code: its signature first (the agency's published key), then the
    /// credential's current status by its number.
    public func byCode(_ code: String, keys: SigningKeyWork, on day: CalendarDay) async throws -> VerificationAnswer {
        guard let agencyCode = VerificationCode.claimedAgency(code), let agency = try await store.publicAgency(code: agencyCode) else {
            return .notValid
        }
        let key = try await keys.publicKey(agency: agency.id, purpose: SigningKeyWork.credentialCode)
        guard let verified = VerificationCode.verify(code, publicKeys: { $0 == agencyCode ? key : nil }) else { return .notValid }
        let answer = try await byNumber(verified.credentialNumber, on: day)
        // A code printed for another term, or naming another agency's number, is not valid.
        if case .found(let card) = answer, card.validUntil != verified.validUntil || card.agencyCode != agencyCode { return .notValid }
        return answer
    }

    /// 亮证码: the signed code to print on a credential, for its holder or an administrator.
    public func code(_ caller: Caller, credentialID: UUID, keys: SigningKeyWork) async throws -> String {
        let credential = try await store.transaction(agency: caller.agency.id, .read) { tx in
            guard let (credential, _) = try await tx.credentials.credential(id: credentialID, locking: false) else {
                throw DomainError.noSuchCredential
            }
            try await OfficerWork.checkReadable(officerID: credential.officerID, by: caller, tx: tx)
            return credential
        }
        guard let number = credential.number, let validUntil = credential.validUntil, credential.state == .active || credential.state == .suspended
        else {
            throw DomainError.onlyIssuedCredentialHasCode(state: credential.state)
        }
        let key = try await keys.privateKey(agency: caller.agency.id, purpose: SigningKeyWork.credentialCode)
        return try VerificationCode(agencyCode: caller.agency.code, credentialNumber: number, validUntil: validUntil).signed(with: key)
    }
}
