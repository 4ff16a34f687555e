import FazhiRules
import FazhiUseCases
import Foundation
import Synchronization

/// The domain's `TenantStore` on PostgreSQL, connected as the application role: every
/// tenant statement runs in a transaction that set its agency, so row-level security
/// shows it that agency's rows only.
public struct PostgresTenantStore: TenantStore {
    public let pool: ConnectionPool
    private let directory: AgencyDirectory

    /// `agencyCacheLifetime`: how long an agency found by its code is remembered. Every
    /// call names its agency by code; agencies are created rarely and disabled only by an
    /// operator, so the lookup need not cost every call a round trip.
    public init(pool: ConnectionPool, agencyCacheLifetime: Duration = .seconds(5)) {
        self.pool = pool
        directory = AgencyDirectory(lifetime: agencyCacheLifetime)
    }

    static let agencyColumns = "id, code, name, division_code, created_at"

    static func agency(_ row: PostgresRow) throws -> Agency {
        Agency(
            id: try row.decode(at: 0), code: try row.decode(at: 1), name: try row.decode(at: 2),
            divisionCode: try row.decode(at: 3), createdAt: try row.decode(at: 4))
    }

    public func agency(code: String) async throws -> Agency? {
        if let known = directory.agency(code: code, at: .now) { return known }
        let rows = try await pool.query("SELECT \(Self.agencyColumns) FROM agencies WHERE code = $1 AND disabled_at IS NULL", [code])
        let found = try rows.first.map(Self.agency)
        if let found { directory.remember(found, at: .now) }
        return found
    }

    public func agencies(after code: String?, limit: Int) async throws -> [Agency] {
        try await pool.query(
            "SELECT \(Self.agencyColumns) FROM agencies WHERE $1::text IS NULL OR code > $1 ORDER BY code LIMIT $2",
            [code, limit]
        ).map(Self.agency)
    }

    public func createAgency(
        code: String, name: String, divisionCode: String, admin: NewUser, audit: AuditRecord?, at now: Date
    ) async throws -> Agency {
        guard let platform = try await agency(code: Agency.platformCode) else {
            throw PostgresError(code: .raised, message: "the platform agency is missing; are all migrations applied?")
        }
        do {
            return try await pool.transaction(TransactionOptions(agencyID: platform.id)) { connection in
                let id: UUID = try await connection.query("SELECT fazhi_create_agency($1, $2, $3)", [code, name, divisionCode])[0].decode(at: 0)
                if let audit { try await PostgresTenantTransaction(connection: connection, agencyID: platform.id).appendAudit(audit) }
                // Now act for the new agency to create its administrator.
                try await connection.query("SELECT set_config('fazhi.agency_id', $1, true)", [id.uuidString.lowercased()])
                _ = try await PostgresTenantTransaction(connection: connection, agencyID: id).insertUser(admin, grantedBy: nil, at: now)
                let rows = try await connection.query("SELECT \(Self.agencyColumns) FROM agencies WHERE id = $1", [id])
                return try Self.agency(rows[0])
            }
        } catch let error as PostgresError where error.code == .uniqueViolation && error.constraint == "agencies_code_key" {
            throw DomainError.conflict(.agencyCodeTaken(code))
        }
    }

    /// A transaction that sees only the agency's rows. A write made for a call that runs
    /// under an idempotency key (`TransactionAccess.idempotentAct`) marks the key as acted in
    /// that same transaction; the statement travels with the transaction's first one, so it
    /// costs no round trip of its own.
    public func transaction<T: Sendable>(
        agency: UUID, _ access: TransactionAccess, _ body: @Sendable (any TenantTransaction) async throws -> T
    ) async throws -> T {
        let act = access.idempotentAct
        do {
            return try await pool.transaction(TransactionOptions(readOnly: access.isReadOnly, agencyID: agency)) { connection in
                if let act {
                    connection.deferStatement("SELECT fazhi_idempotency_act($1, $2, $3, $4)", [agency, act.userID, act.key, act.claim])
                }
                return try await body(PostgresTenantTransaction(connection: connection, agencyID: agency))
            }
        } catch let error as PostgresError where act != nil && error.sqlState == Self.claimLost {
            throw DomainError.idempotencyKeyTakenOver
        }
    }

    public func liveSession(agency: UUID, tokenHash: Data) async throws -> LiveSession? {
        // BEGIN, the agency, both reads and COMMIT in one round trip: every call with a bearer token asks.
        let answers = try await pool.pipelinedTransaction(
            TransactionOptions(readOnly: true, agencyID: agency),
            [
                (PostgresTenantTransaction.settingsSelect, [agency]),
                (PostgresTenantTransaction.sessionWithUserSelect, [agency, tokenHash]),
            ])
        guard let row = answers[1].first else { return nil }
        let (session, user, officerID) = try PostgresTenantTransaction.sessionWithUser(row)
        return LiveSession(session: session, user: user, officerID: officerID, settings: try PostgresTenantTransaction.settings(answers[0]))
    }

    /// The SQLSTATE `fazhi_idempotency_act` raises when a call's claim is no longer its own.
    static let claimLost = "FZ001"

    public func claimIdempotencyKey(
        agency: UUID, userID: UUID, key: String, method: String, fingerprint: Data, claim: UUID,
        now: Date
    ) async throws -> IdempotencyClaim {
        // One round trip: drop the key if it expired, or if its claim's lease ran out before
        // the call acted (nothing of it committed); claim it (expiring after the agency's
        // idempotency.retention_hours; a missing setting leaves expires_at NULL, which the
        // table refuses), and read what holds it. Keys from before leases count their lease
        // from their creation.
        let leaseSeconds = Double(IdempotencyClaim.lease.components.seconds)
        let answers = try await pool.pipelinedTransaction(
            TransactionOptions(agencyID: agency),
            [
                (
                    """
                    DELETE FROM idempotency_keys WHERE agency_id = $1 AND user_id = $2 AND key = $3
                      AND (expires_at <= $4 OR (state = 'running' AND coalesce(lease_until, created_at + make_interval(secs => $5)) <= $4))
                    """, [agency, userID, key, now, leaseSeconds]
                ),
                (
                    """
                    INSERT INTO idempotency_keys (agency_id, user_id, key, method, fingerprint, created_at, expires_at, claim, lease_until)
                    VALUES ($1, $2, $3, $4, $5, $6, $6 + make_interval(hours => (
                        SELECT coalesce(o.value, d.value)::int FROM setting_defaults d
                        LEFT JOIN agency_settings o ON o.key = d.key AND o.agency_id = $1
                        WHERE d.key = 'idempotency.retention_hours')), $7, $6 + make_interval(secs => $8))
                    ON CONFLICT DO NOTHING
                    """, [agency, userID, key, method, fingerprint, now, claim, leaseSeconds]
                ),
                (
                    """
                    SELECT fingerprint, state, outcome_status, outcome_payload, coalesce(lease_until, created_at + make_interval(secs => $4)) <= $5
                    FROM idempotency_keys WHERE agency_id = $1 AND user_id = $2 AND key = $3
                    """, [agency, userID, key, leaseSeconds, now]
                ),
            ])
        if answers[1].affectedRows == 1 { return .claimed }
        guard let row = answers[2].first else { return .running }  // claimed and released meanwhile: let the caller retry
        guard try row.decode(Data.self, at: 0) == fingerprint else { return .mismatch }
        switch try row.decode(String.self, at: 1) {
        case "done": return .done(status: try row.decode(at: 2), payload: try row.decode(Data?.self, at: 3) ?? Data())
        case "acted": return try row.decode(Bool.self, at: 4) ? .outcomeLost : .running
        default: return .running
        }
    }

    public func renewIdempotencyLease(agency: UUID, userID: UUID, key: String, claim: UUID, until: Date) async throws {
        try await pool.pipelinedTransaction(
            TransactionOptions(agencyID: agency),
            [
                (
                    "UPDATE idempotency_keys SET lease_until = $5 WHERE agency_id = $1 AND user_id = $2 AND key = $3 AND claim = $4 AND state <> 'done'",
                    [agency, userID, key, claim, until]
                )
            ])
    }

    public func ping() async throws {
        _ = try await pool.query("SELECT 1")
    }

    public func appendAudit(_ record: AuditRecord, agency: UUID) async throws {
        // BEGIN, the agency, the row and COMMIT in one round trip.
        try await pool.pipelinedTransaction(TransactionOptions(agencyID: agency), [PostgresTenantTransaction.auditInsert(record, agencyID: agency)])
    }

    public func appendPlatformAudit(_ record: AuditRecord) async throws {
        try await pool.query(
            """
            INSERT INTO platform_audit_log (at, claimed_agency, username, roles, method, target_ids, status, reason, peer, request_id, duration_us)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """,
            [
                record.at, record.agencyCode, record.username, record.roles.map(\.rawValue), record.method, record.targetIDs,
                record.status, record.reason, record.peer, record.requestID, record.durationMicroseconds,
            ])
    }

    public func platformAuditEntries(_ filter: AuditFilter, after sequence: Int64?, limit: Int) async throws -> [AuditRecord] {
        let rows = try await pool.query(
            """
            SELECT id, at, claimed_agency, username, roles, method, target_ids, status, reason, peer, request_id, duration_us
            FROM platform_audit_log
            WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR username = $2) AND ($3::text IS NULL OR method = $3)
              AND ($4::text IS NULL OR status = $4) AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)
            ORDER BY id DESC LIMIT $7
            """,
            [sequence, filter.username, filter.method, filter.status, filter.since, filter.until, limit])
        return try rows.map { row in
            AuditRecord(
                sequence: try row.decode(at: 0), at: try row.decode(at: 1), agencyID: nil, agencyCode: try row.decode(at: 2),
                userID: nil, username: try row.decode(at: 3), roles: try PostgresTenantTransaction.roles(try row.decode(at: 4)),
                method: try row.decode(at: 5), targetIDs: try row.decode(at: 6), status: try row.decode(at: 7), reason: try row.decode(at: 8),
                peer: try row.decode(String?.self, at: 9) ?? "", requestID: try row.decode(String?.self, at: 10) ?? "",
                durationMicroseconds: try row.decode(at: 11))
        }
    }
}

/// Agencies recently found by code. Only agencies found are kept, so an unknown code
/// is looked up every time, and a new agency is seen at once.
private final class AgencyDirectory: Sendable {
    private let lifetime: Duration
    private let found = Mutex<[String: (agency: Agency, until: ContinuousClock.Instant)]>([:])

    init(lifetime: Duration) { self.lifetime = lifetime }

    func agency(code: String, at now: ContinuousClock.Instant) -> Agency? {
        found.withLock { found in
            guard let entry = found[code] else { return nil }
            guard now < entry.until else {
                found[code] = nil
                return nil
            }
            return entry.agency
        }
    }

    func remember(_ agency: Agency, at now: ContinuousClock.Instant) {
        guard lifetime > .zero else { return }
        found.withLock { $0[agency.code] = (agency, now + lifetime) }
    }
}
