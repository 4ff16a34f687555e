import FazhiRules
import Foundation

/// What a transaction may do, and for whom. A write made for a call says so: if the call
/// runs under an idempotency key (`CallAudit.idempotentAct`), the transaction marks the
/// key as acted before it commits, so a retry never acts twice.
public enum TransactionAccess: Sendable {
    case read
    /// A write for `call`, or for no caller's call (sweeps, publishing, start-up, and the
    /// idempotency bookkeeping itself) when nil.
    case write(for: CallAudit?)

    /// The key this transaction marks as acted, if any.
    public var idempotentAct: IdempotentAct? {
        if case .write(let call?) = self { return call.idempotentAct }
        return nil
    }
    public var isReadOnly: Bool {
        if case .read = self { return true }
        return false
    }
}

/// The database as the domain sees it. Every tenant read and write happens inside
/// `transaction(agency:)`, which sees only that agency's rows.
public protocol TenantStore: Sendable {
    /// The agency directory (a platform table the server may read).
    func agency(code: String) async throws -> Agency?
    func agencies(after code: String?, limit: Int) async throws -> [Agency]
    /// Creates an agency and its first administrator in one transaction.
    func createAgency(code: String, name: String, divisionCode: String, admin: NewUser, audit: AuditRecord?, at now: Date) async throws -> Agency
    func transaction<T: Sendable>(
        agency: UUID, _ access: TransactionAccess, _ body: @Sendable (any TenantTransaction) async throws -> T
    ) async throws -> T
    /// The session with this token hash, its user (nil if gone), the user's officer record
    /// (nil if none) and the agency's settings, read in one snapshot: every call with a
    /// bearer token asks.
    func liveSession(agency: UUID, tokenHash: Data) async throws -> LiveSession?
    /// Claims `key` for the user's call with this fingerprint under the token `claim`,
    /// unless a live claim exists: an expired key is replaced, and so is a claim whose
    /// lease (`IdempotencyClaim.lease`) ran out before its call acted. A key expires after
    /// the agency's `idempotency.retention_hours`. Its outcome is recorded in a transaction
    /// (see `TenantTransaction.finishIdempotencyKey`).
    func claimIdempotencyKey(
        agency: UUID, userID: UUID, key: String, method: String, fingerprint: Data, claim: UUID, now: Date
    ) async throws -> IdempotencyClaim
    /// Extends the lease of the claim `claim` on `key` to `until`, while its call runs.
    func renewIdempotencyLease(agency: UUID, userID: UUID, key: String, claim: UUID, until: Date) async throws
    /// A call's audit row in a transaction of its own, in its agency's log.
    func appendAudit(_ record: AuditRecord, agency: UUID) async throws
    /// The audit of a call whose agency is unknown.
    func appendPlatformAudit(_ record: AuditRecord) async throws
    func platformAuditEntries(_ filter: AuditFilter, after sequence: Int64?, limit: Int) async throws -> [AuditRecord]
    /// Returns when the store answers; throws (an `OutageError`) when it cannot be reached.
    func ping() async throws
}

extension TenantStore {
    /// An agency the public may ask about by its code (not the platform), or nil.
    public func publicAgency(code: String) async throws -> Agency? {
        guard AgencyCodeRule.isValid(code), let agency = try await agency(code: code), !agency.isPlatform else { return nil }
        return agency
    }
}

extension TenantStore {
    /// Runs a change in one transaction of `agency` whose last write is the call's audit
    /// row, so the change and its audit commit together (docs/ARCHITECTURE.md, "A request, end
    /// to end"); then marks the call audited.
    public func change<T: Sendable>(
        agency: UUID, call: CallAudit, at now: Date,
        _ body: @escaping @Sendable (any TenantTransaction) async throws -> T
    ) async throws -> T {
        let result = try await transaction(agency: agency, .write(for: call)) { tx in
            let result = try await body(tx)
            try await tx.appendAudit(call.record(status: "OK", reason: nil, now: now))
            return result
        }
        call.markWritten()
        return result
    }
}

/// One agency's rows, inside one transaction.
public protocol TenantTransaction: Sendable {
    func settings() async throws -> AgencySettings
    /// Says `settings()` will be asked soon, so a store may read them together with the
    /// next read instead of on their own (a hint: results are the same without it).
    func prefetchSettings()

    /// The enforcement corps' records.
    var credentials: any CredentialRecords { get }
    var powerList: any PowerListRecords { get }
    var parties: any PartyRecords { get }
    var cases: any CaseRecords { get }
    var disclosures: any DisclosureRecords { get }
    var statistics: any StatisticsRecords { get }
    /// The national calendar (platform data), for working-day deadlines.
    func workingDayCalendar() async throws -> WorkingDayCalendar

    func user(username: String) async throws -> UserRecord?
    func user(id: UUID) async throws -> UserRecord?
    /// Users in username order after `after`, optionally only those holding `role`.
    func users(role: Role?, after username: String?, limit: Int) async throws -> [UserRecord]
    /// Throws `ALREADY_EXISTS` when the username is taken.
    func insertUser(_ user: NewUser, grantedBy: UUID?, at: Date) async throws -> UserRecord
    func setRoles(userID: UUID, roles: Set<Role>, grantedBy: UUID?, at: Date) async throws
    func setDisabled(userID: UUID, at: Date?) async throws
    func setPasswordHash(userID: UUID, hash: PasswordHash, at: Date) async throws

    func loginFailures(username: String, since: Date) async throws -> [Date]
    func recordLoginFailure(username: String, at: Date, peer: String) async throws

    func insertSession(userID: UUID, tokenHash: Data, createdAt: Date, expiresAt: Date, peer: String) async throws -> SessionRecord
    func touchSession(id: UUID, at: Date) async throws
    func endSession(id: UUID, at: Date, reason: String) async throws
    /// Ends every open session of the user but `except`.
    func endSessions(userID: UUID, except: UUID?, at: Date, reason: String) async throws

    /// Records the call's final outcome (a response, or a domain error) for retries.
    func finishIdempotencyKey(userID: UUID, key: String, claim: UUID, status: String, payload: Data) async throws
    /// Forgets a claim whose call failed transiently, so a retry runs again; a claim whose
    /// call committed anything (see `TransactionAccess`) is kept.
    func releaseIdempotencyKey(userID: UUID, key: String, claim: UUID) async throws

    func appendAudit(_ record: AuditRecord) async throws
    func auditEntries(_ filter: AuditFilter, after sequence: Int64?, limit: Int) async throws -> [AuditRecord]
}
