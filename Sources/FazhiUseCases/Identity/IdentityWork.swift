import FazhiRules
import Foundation

/// Sign-in, sessions and the caller's own password.
public struct IdentityWork: Sendable {
    public let store: any TenantStore
    public let scrypt: ScryptParameters
    private let work: any PasswordHashing
    /// Verified against when a name is unknown, so that costs the same as a wrong password.
    private let decoy: PasswordHash

    public init(store: any TenantStore, scrypt: ScryptParameters, work: any PasswordHashing = InPlacePasswordHashing()) {
        self.store = store
        self.scrypt = scrypt
        self.work = work
        self.decoy = PasswordHash.decoy(parameters: scrypt)
    }

    public struct SignedIn: Sendable {
        public var token: BearerToken
        public var expiresAt: Date
        public var caller: Caller
    }

    /// 登录. Every failure, for a known or unknown name alike, answers the same and counts
    /// towards the lock; a locked name is refused before its password is looked at.
    public func login(agencyCode: String, username: String, password: String, peer: String, call: CallAudit, now: Date) async throws -> SignedIn {
        call.claim(agencyCode: agencyCode)
        call.claim(agency: nil, username: String(username.prefix(256)))
        guard AgencyCodeRule.isValid(agencyCode), let agency = try await store.agency(code: agencyCode) else {
            _ = try await work.run { [decoy] in decoy.verify(password) }
            throw DomainError.wrongSignIn
        }
        call.claim(agency: agency, username: username)
        let (settings, failures, user) = try await store.transaction(agency: agency.id, .read) { tx in
            let settings = try await tx.settings()
            let throttle = try LoginThrottle(settings: settings)
            return (
                settings, try await tx.loginFailures(username: username, since: throttle.relevantSince(now)), try await tx.user(username: username)
            )
        }
        let throttle = try LoginThrottle(settings: settings)
        if let until = throttle.lockedUntil(failures: failures, now: now) {
            throw Self.locked(until: until, now: now)
        }
        // Verified outside any transaction: scrypt takes tens of milliseconds.
        let stored = user?.passwordHash ?? decoy
        let matches = try await work.run { stored.verify(password) }
        guard matches, let user, user.disabledAt == nil else {
            try await store.transaction(agency: agency.id, .write(for: nil)) { tx in
                try await tx.recordLoginFailure(username: username, at: now, peer: peer)
            }
            if let until = throttle.lockedUntil(failures: failures + [now], now: now) { throw Self.locked(until: until, now: now) }
            throw DomainError.wrongSignIn
        }
        let rules = try SessionRules(settings: settings)
        let token = BearerToken.generate(agencyCode: agency.code)
        let expiresAt = rules.expiry(createdAt: now)
        // The session and the call's audit row commit together.
        let session = try await store.change(agency: agency.id, call: call, at: now) { tx in
            let session = try await tx.insertSession(userID: user.id, tokenHash: token.hash, createdAt: now, expiresAt: expiresAt, peer: peer)
            call.identify(
                Caller(
                    agency: agency, userID: user.id, username: user.username, displayName: user.displayName,
                    roles: user.roles, proof: .session, sessionID: session.id))
            call.target("session:\(session.id.uuidString.lowercased())")
            return session
        }
        let caller = Caller(
            agency: agency, userID: user.id, username: user.username, displayName: user.displayName,
            roles: user.roles, proof: .session, sessionID: session.id)
        return SignedIn(token: token, expiresAt: expiresAt, caller: caller)
    }

    private static func locked(until: Date, now: Date) -> DomainError {
        let minutes = max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
        return DomainError.accountLocked(untilISO8601: ISO8601DateFormatter().string(from: until), minutes: minutes)
    }

    /// The caller behind a bearer token, or `SESSION_EXPIRED`/`AUTHENTICATION_REQUIRED`.
    /// A call refreshes the idle clock at most once a minute, to spare a write per call.
    public func authenticate(token text: String, call: CallAudit, now: Date) async throws -> Caller {
        guard let token = BearerToken(text), let agency = try await store.agency(code: token.agencyCode) else {
            throw DomainError.tokenNotValid
        }
        call.claim(agency: agency, username: nil)
        guard let live = try await store.liveSession(agency: agency.id, tokenHash: token.hash) else {
            throw DomainError.tokenNotValid
        }
        let (session, user) = (live.session, live.user)
        let rules = try SessionRules(settings: live.settings)
        guard rules.isLive(expiresAt: session.expiresAt, lastSeenAt: session.lastSeenAt, endedAt: session.endedAt, now: now),
            let user, user.disabledAt == nil
        else { throw DomainError.sessionEnded }
        if now.timeIntervalSince(session.lastSeenAt) >= 60 {
            try await store.transaction(agency: agency.id, .write(for: nil)) { try await $0.touchSession(id: session.id, at: now) }
        }
        return Caller(
            agency: agency, userID: user.id, username: user.username, displayName: user.displayName,
            roles: user.roles, proof: .session, sessionID: session.id, officerID: live.officerID)
    }

    /// The caller behind a verified client certificate naming `username` of `agencyCode`
    /// (the transport checked the chain; the gateway checked it was the agency's own CA).
    public func certificateCaller(agencyCode: String, username: String, call: CallAudit, now: Date) async throws -> Caller {
        guard let agency = try await store.agency(code: agencyCode) else {
            throw DomainError.certificateAgencyUnknown
        }
        call.claim(agency: agency, username: username)
        let user = try await store.transaction(agency: agency.id, .read) { try await $0.user(username: username) }
        guard let user, user.disabledAt == nil else {
            throw DomainError.certificateUserUnknown
        }
        return Caller(
            agency: agency, userID: user.id, username: user.username, displayName: user.displayName,
            roles: user.roles, proof: .clientCertificate, sessionID: nil)
    }

    /// The caller a certificate bound to a credential names: the officer's user account,
    /// while the credential is in force. Asked on every call, so a suspension, revocation
    /// or expiry refuses the very next call, also on a connection already open.
    public func credentialCaller(agencyCode: String, credentialNumber: String, call: CallAudit, now: Date) async throws -> Caller {
        guard let agency = try await store.agency(code: agencyCode) else {
            throw DomainError.certificateAgencyUnknown
        }
        call.claim(agency: agency, username: nil)
        call.target("credential:\(credentialNumber.prefix(64))")
        let day = Moment(instant: now).day
        let user: UserRecord = try await store.transaction(agency: agency.id, .read) { tx in
            guard let (credential, _) = try await tx.credentials.credential(number: credentialNumber) else {
                throw DomainError.certificateCredentialUnknown
            }
            if let refusal = credential.standing(on: day, rules: try CredentialRules(settings: try await tx.settings())) {
                throw DomainError.certificateCredentialNotInForce(refusal)
            }
            guard let userID = try await tx.credentials.officer(id: credential.officerID)?.userID,
                let user = try await tx.user(id: userID), user.disabledAt == nil
            else {
                throw DomainError.credentialHolderHasNoAccount
            }
            return user
        }
        call.claim(agency: agency, username: user.username)
        return Caller(
            agency: agency, userID: user.id, username: user.username, displayName: user.displayName,
            roles: user.roles, proof: .clientCertificate, sessionID: nil)
    }

    /// 退出: ends the caller's session at once.
    public func logout(_ caller: Caller, call: CallAudit, now: Date) async throws {
        guard let sessionID = caller.sessionID else { return }
        call.target("session:\(sessionID.uuidString.lowercased())")
        try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            try await tx.endSession(id: sessionID, at: now, reason: "logout")
        }
    }

    /// Changes the caller's password after checking the current one and the agency's
    /// rules; every other session of the user ends.
    public func changePassword(_ caller: Caller, current: String, new: String, call: CallAudit, now: Date) async throws {
        call.target("user:\(caller.username)")
        let (user, settings) = try await store.transaction(agency: caller.agency.id, .read) { tx in
            (try await tx.user(id: caller.userID), try await tx.settings())
        }
        guard let hash = user?.passwordHash, try await work.run({ hash.verify(current) }) else {
            throw DomainError.wrongCurrentPassword
        }
        try PasswordPolicy(settings: settings).check(new, username: caller.username)
        let newHash = try await work.run { [scrypt] in try PasswordHash.make(new, parameters: scrypt) }
        try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            try await tx.setPasswordHash(userID: caller.userID, hash: newHash, at: now)
            try await tx.endSessions(userID: caller.userID, except: caller.sessionID, at: now, reason: "password changed")
        }
    }
}
