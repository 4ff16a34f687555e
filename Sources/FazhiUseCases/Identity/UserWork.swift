import FazhiRules
import Foundation

/// 用户管理: the users of the caller's agency and their roles; agencies for the operator.
public struct UserWork: Sendable {
    public let store: any TenantStore
    public let scrypt: ScryptParameters
    private let work: any PasswordHashing

    public init(store: any TenantStore, scrypt: ScryptParameters, work: any PasswordHashing = InPlacePasswordHashing()) {
        self.store = store
        self.scrypt = scrypt
        self.work = work
    }

    public func users(_ caller: Caller, role: Role?, after: String?, limit: Int) async throws -> [UserRecord] {
        try await store.transaction(agency: caller.agency.id, .read) { tx in
            try await tx.users(role: role, after: after, limit: limit)
        }
    }

    public func user(_ caller: Caller, username: String) async throws -> UserRecord {
        try await store.transaction(agency: caller.agency.id, .read) { tx in
            try await Self.existing(tx, username)
        }
    }

    /// `hashed`, when given, must be a hash of `initialPassword` made by the caller: the demo
    /// makes one for its accounts, which share a password, instead of one scrypt per account.
    public func createUser(
        _ caller: Caller, username: String, displayName: String, initialPassword: String, roles: Set<Role>,
        call: CallAudit, now: Date, hashed: PasswordHash? = nil
    ) async throws -> UserRecord {
        try UsernameRule.validate(username)
        try Self.validateDisplayName(displayName)
        try checkGrantable(roles, by: caller)
        call.target("user:\(username)")
        let settings = try await store.transaction(agency: caller.agency.id, .read) { try await $0.settings() }
        try PasswordPolicy(settings: settings).check(initialPassword, username: username)
        let hash: PasswordHash
        if let hashed { hash = hashed } else { hash = try await work.run { [scrypt] in try PasswordHash.make(initialPassword, parameters: scrypt) } }
        let user = try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            let user = try await tx.insertUser(
                NewUser(username: username, displayName: displayName, passwordHash: hash, roles: roles),
                grantedBy: caller.userID, at: now)
            return user
        }
        return user
    }

    public func setRoles(_ caller: Caller, username: String, roles: Set<Role>, call: CallAudit, now: Date) async throws -> UserRecord {
        try checkGrantable(roles, by: caller)
        call.target("user:\(username)")
        let user = try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            let user = try await Self.existing(tx, username)
            if user.id == caller.userID, !roles.contains(.admin), !roles.contains(.platformAdmin) {
                throw DomainError.cannotRevokeOwnAdmin
            }
            try await tx.setRoles(userID: user.id, roles: roles, grantedBy: caller.userID, at: now)
            return try await Self.existing(tx, username)
        }
        return user
    }

    /// 停用: the user can no longer sign in, and every session ends at once.
    public func setDisabled(_ caller: Caller, username: String, disabled: Bool, call: CallAudit, now: Date) async throws -> UserRecord {
        call.target("user:\(username)")
        let user = try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            let user = try await Self.existing(tx, username)
            if disabled, user.id == caller.userID {
                throw DomainError.cannotDisableSelf
            }
            if disabled == (user.disabledAt != nil) { return user }
            try await tx.setDisabled(userID: user.id, at: disabled ? now : nil)
            if disabled { try await tx.endSessions(userID: user.id, except: nil, at: now, reason: "user disabled") }
            return try await Self.existing(tx, username)
        }
        return user
    }

    public func agencies(after code: String?, limit: Int) async throws -> [Agency] {
        try await store.agencies(after: code, limit: limit)
    }

    /// A new agency with its first administrator.
    public func createAgency(
        _ caller: Caller, code: String, name: String, divisionCode: String,
        adminUsername: String, adminDisplayName: String, adminPassword: String,
        call: CallAudit, now: Date
    ) async throws -> Agency {
        guard AgencyCodeRule.isValid(code), code != Agency.platformCode else {
            throw DomainError.agencyCodeInvalid
        }
        guard (1...100).contains(name.count) else {
            throw DomainError.agencyNameInvalid
        }
        guard divisionCode.count == 6, divisionCode.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DomainError.divisionCodeInvalid
        }
        try UsernameRule.validate(adminUsername)
        try Self.validateDisplayName(adminDisplayName)
        // A new agency has no overrides yet: the platform's settings are the defaults it starts with.
        let settings = try await store.transaction(agency: caller.agency.id, .read) { try await $0.settings() }
        try PasswordPolicy(settings: settings).check(adminPassword, username: adminUsername)
        call.target("agency:\(code)")
        let hash = try await work.run { [scrypt] in try PasswordHash.make(adminPassword, parameters: scrypt) }
        let agency = try await store.createAgency(
            code: code, name: name, divisionCode: divisionCode,
            admin: NewUser(username: adminUsername, displayName: adminDisplayName, passwordHash: hash, roles: [.admin]),
            audit: call.record(status: "OK", reason: nil, now: now), at: now)
        call.markWritten()
        return agency
    }

    /// Roles an agency admin may grant: any but `platform_admin`, which exists only in
    /// the platform agency.
    private func checkGrantable(_ roles: Set<Role>, by caller: Caller) throws {
        if roles.contains(.platformAdmin), !caller.agency.isPlatform {
            throw DomainError.platformAdminOnlyInPlatform
        }
    }

    private static func validateDisplayName(_ name: String) throws {
        guard (1...100).contains(name.count) else {
            throw DomainError.displayNameInvalid
        }
    }

    static func existing(_ tx: any TenantTransaction, _ username: String) async throws -> UserRecord {
        guard let user = try await tx.user(username: username) else {
            throw DomainError.noSuchUser(username)
        }
        return user
    }
}
