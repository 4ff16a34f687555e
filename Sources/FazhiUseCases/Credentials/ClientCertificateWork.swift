import FazhiRules
import Foundation

/// Client certificates bound to credentials: what a certificate may say and for how long.
/// The signing itself (X.509, the agency's CA) happens in the gateway, inside the use
/// case's transaction, through `sign`.
public struct ClientCertificateWork: Sendable {
    /// What the CA is asked to sign.
    public struct Grant: Sendable, Equatable {
        public var agencyCode: String
        public var credentialNumber: String
        public var holderName: String
        public var notAfter: Date
    }

    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    /// The SAN URI of a certificate bound to a credential.
    public static func uri(agencyCode: String, credentialNumber: String) -> String { "urn:fazhi:\(agencyCode):credential:\(credentialNumber)" }

    /// Signs a certificate for a credential in force, for its holder or a credential
    /// administrator. It lives `credential.certificate_days` days, never past the
    /// credential's term; refusal at the next call after a suspension, revocation or
    /// expiry is the gateway's per-call check, not the certificate's lifetime.
    public func issue<Signed: Sendable>(
        _ caller: Caller, credentialID: UUID, call: CallAudit, at now: Moment,
        sign: @escaping @Sendable (Grant) throws -> (serial: String, signed: Signed)
    ) async throws -> Signed {
        call.target("credential:\(credentialID.uuidString.lowercased())")
        let signed = try await store.transaction(agency: caller.agency.id, .write(for: call)) { tx in
            guard let (credential, _) = try await tx.credentials.credential(id: credentialID, locking: false) else {
                throw DomainError.noSuchCredential
            }
            let own = try await tx.credentials.officer(userID: caller.userID)
            guard caller.roles.contains(.credentialAdmin) || own?.id == credential.officerID else {
                throw DomainError.ownCertificateOnly
            }
            let settings = try await tx.settings()
            let rules = try CredentialRules(settings: settings)
            if let refusal = credential.standing(on: now.day, rules: rules) {
                throw DomainError.credentialNotInForceForCertificate(refusal)
            }
            guard let number = credential.number, let validUntil = credential.validUntil,
                let holder = try await tx.credentials.officer(id: credential.officerID)
            else {
                throw DomainError.credentialNotIssued
            }
            let lifetime = now.instant.addingTimeInterval(Double(try settings.integer("credential.certificate_days")) * 86_400)
            let grant = Grant(
                agencyCode: caller.agency.code, credentialNumber: number, holderName: holder.name,
                notAfter: min(lifetime, Moment.start(of: validUntil.adding(days: 1))))
            let (serial, signed) = try sign(grant)
            try await tx.credentials.insertClientCertificate(
                .init(
                    serial: serial, credentialID: credentialID, notAfter: grant.notAfter,
                    issuedAt: now.instant, issuedBy: caller.userID))
            try await tx.appendAudit(call.record(status: "OK", reason: nil, now: now.instant))
            return signed
        }
        call.markWritten()
        return signed
    }
}

extension Moment {
    /// The first instant of `day` in `timeZone` (China Standard Time for the bureau).
    public static func start(of day: CalendarDay, timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
    }
}
