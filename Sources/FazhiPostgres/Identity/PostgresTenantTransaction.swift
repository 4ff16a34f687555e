import FazhiRules
import FazhiUseCases
import Foundation
import Synchronization

/// One agency's rows inside one transaction on one connection.
struct PostgresTenantTransaction: TenantTransaction {
    let connection: PostgresConnection
    let agencyID: UUID
    /// The agency's settings, read once per transaction: several rules ask for them (every
    /// officer's authority, the case's threshold), and nothing here changes them.
    private let settingsRead = SettingsRead()

    var credentials: any CredentialRecords { PostgresCredentialRecords(connection: connection, agencyID: agencyID) }
    var powerList: any PowerListRecords { PostgresPowerListRecords(connection: connection, agencyID: agencyID) }
    var parties: any PartyRecords { PostgresPartyRecords(connection: connection, agencyID: agencyID) }
    var cases: any CaseRecords { PostgresCaseRecords(connection: connection, agencyID: agencyID) }
    var disclosures: any DisclosureRecords { PostgresDisclosureRecords(connection: connection, agencyID: agencyID) }
    var statistics: any StatisticsRecords { PostgresStatisticsRecords(connection: connection, agencyID: agencyID) }

    func workingDayCalendar() async throws -> WorkingDayCalendar {
        WorkingDayCalendar(schedules: try await PostgresCalendarStore.schedules { try await connection.query($0) })
    }

    static let settingsSelect = """
        SELECT d.key, coalesce(o.value, d.value)
        FROM setting_defaults d LEFT JOIN agency_settings o ON o.key = d.key AND o.agency_id = $1
        """

    /// Queues the settings read to travel with the next statement, so it costs no round
    /// trip of its own.
    func prefetchSettings() {
        settingsRead.prefetched.withLock { prefetched in
            if prefetched == nil, settingsRead.value.withLock({ $0 == nil }) {
                prefetched = connection.deferQuery(Self.settingsSelect, [agencyID])
            }
        }
    }

    func settings() async throws -> AgencySettings {
        if let settings = settingsRead.value.withLock({ $0 }) { return settings }
        let rows: PostgresRows
        if let prefetched = settingsRead.prefetched.withLock({ $0 }) {
            rows = try await connection.rows(of: prefetched)
        } else {
            rows = try await connection.query(Self.settingsSelect, [agencyID])
        }
        let settings = try Self.settings(rows)
        settingsRead.value.withLock { $0 = settings }
        return settings
    }

    private static let userSelect = """
        SELECT u.id, u.username, u.display_name, u.password_hash, u.created_at, u.disabled_at,
               coalesce(array_agg(g.role ORDER BY g.role) FILTER (WHERE g.role IS NOT NULL), '{}')
        FROM users u LEFT JOIN role_grants g ON g.agency_id = u.agency_id AND g.user_id = u.id
        """

    static func roles(_ names: [String]) throws -> [Role] {
        try names.map { name in
            guard let role = Role(rawValue: name) else { throw PostgresError(code: .decoding, message: "unknown role \(name) in the database") }
            return role
        }
    }

    private static func user(_ row: PostgresRow, from first: Int = 0) throws -> UserRecord {
        UserRecord(
            id: try row.decode(at: first), username: try row.decode(at: first + 1), displayName: try row.decode(at: first + 2),
            passwordHash: PasswordHash(encoded: try row.decode(at: first + 3)), roles: Set(try roles(try row.decode(at: first + 6))),
            createdAt: try row.decode(at: first + 4), disabledAt: try row.decode(at: first + 5))
    }

    func user(username: String) async throws -> UserRecord? {
        try await connection.query("\(Self.userSelect) WHERE u.username = $1 GROUP BY u.agency_id, u.id", [username]).first.map { try Self.user($0) }
    }

    func user(id: UUID) async throws -> UserRecord? {
        try await connection.query("\(Self.userSelect) WHERE u.id = $1 GROUP BY u.agency_id, u.id", [id]).first.map { try Self.user($0) }
    }

    func users(role: Role?, after username: String?, limit: Int) async throws -> [UserRecord] {
        try await connection.query(
            """
            \(Self.userSelect)
            WHERE ($1::text IS NULL OR u.username > $1)
              AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM role_grants r WHERE r.agency_id = u.agency_id AND r.user_id = u.id AND r.role = $2))
            GROUP BY u.agency_id, u.id ORDER BY u.username LIMIT $3
            """, [username, role?.rawValue, limit]
        ).map { try Self.user($0) }
    }

    func insertUser(_ user: NewUser, grantedBy: UUID?, at: Date) async throws -> UserRecord {
        let id: UUID
        do {
            id = try await connection.query(
                """
                INSERT INTO users (agency_id, username, display_name, password_hash, password_changed_at, created_at)
                VALUES ($1, $2, $3, $4, $5, $5) RETURNING id
                """, [agencyID, user.username, user.displayName, user.passwordHash.encoded, at])[0].decode(at: 0)
        } catch let error as PostgresError where error.code == .uniqueViolation && error.constraint == "users_username_unique" {
            throw DomainError.conflict(.usernameTaken(user.username))
        }
        try await setRoles(userID: id, roles: user.roles, grantedBy: grantedBy, at: at)
        guard let created = try await self.user(id: id) else { throw PostgresError(code: .raised, message: "a user just inserted is missing") }
        return created
    }

    func setRoles(userID: UUID, roles: Set<Role>, grantedBy: UUID?, at: Date) async throws {
        let names = roles.map(\.rawValue).sorted()
        try await connection.execute(
            "DELETE FROM role_grants WHERE agency_id = $1 AND user_id = $2 AND NOT (role = ANY($3))", [agencyID, userID, names])
        try await connection.execute(
            """
            INSERT INTO role_grants (agency_id, user_id, role, granted_by, granted_at)
            SELECT $1, $2, r, $4, $5 FROM unnest($3::text[]) AS r ON CONFLICT DO NOTHING
            """, [agencyID, userID, names, grantedBy, at])
    }

    func setDisabled(userID: UUID, at: Date?) async throws {
        try await connection.execute("UPDATE users SET disabled_at = $3 WHERE agency_id = $1 AND id = $2", [agencyID, userID, at])
    }

    func setPasswordHash(userID: UUID, hash: PasswordHash, at: Date) async throws {
        try await connection.execute(
            "UPDATE users SET password_hash = $3, password_changed_at = $4 WHERE agency_id = $1 AND id = $2",
            [agencyID, userID, hash.encoded, at])
    }

    func loginFailures(username: String, since: Date) async throws -> [Date] {
        try await connection.query(
            "SELECT at FROM login_failures WHERE agency_id = $1 AND username = $2 AND at >= $3 ORDER BY at",
            [agencyID, username, since]
        ).map { try $0.decode(at: 0) }
    }

    func recordLoginFailure(username: String, at: Date, peer: String) async throws {
        try await connection.execute(
            "INSERT INTO login_failures (agency_id, username, at, peer) VALUES ($1, $2, $3, $4)",
            [agencyID, String(username.prefix(256)), at, peer])
    }

    private static let sessionColumns = "id, user_id, created_at, last_seen_at, expires_at, ended_at"

    private static func session(_ row: PostgresRow) throws -> SessionRecord {
        SessionRecord(
            id: try row.decode(at: 0), userID: try row.decode(at: 1), createdAt: try row.decode(at: 2),
            lastSeenAt: try row.decode(at: 3), expiresAt: try row.decode(at: 4), endedAt: try row.decode(at: 5))
    }

    /// A session by token hash with its user, the user's roles (NULLs when the user is
    /// gone) and the user's officer record.
    static let sessionWithUserSelect = """
        SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.ended_at,
               u.id, u.username, u.display_name, u.password_hash, u.created_at, u.disabled_at,
               coalesce(array_agg(g.role ORDER BY g.role) FILTER (WHERE g.role IS NOT NULL), '{}'),
               (SELECT o.id FROM officers o WHERE o.agency_id = s.agency_id AND o.user_id = s.user_id)
        FROM sessions s
        LEFT JOIN users u ON u.agency_id = s.agency_id AND u.id = s.user_id
        LEFT JOIN role_grants g ON g.agency_id = u.agency_id AND g.user_id = u.id
        WHERE s.agency_id = $1 AND s.token_hash = $2
        GROUP BY s.agency_id, s.id, u.agency_id, u.id
        """

    static func sessionWithUser(_ row: PostgresRow) throws -> (SessionRecord, UserRecord?, officerID: UUID?) {
        let userID: UUID? = try row.decode(at: 6)
        return (try session(row), try userID.map { _ in try user(row, from: 6) }, try row.decode(at: 13))
    }

    static func settings(_ rows: PostgresRows) throws -> AgencySettings {
        var values: [String: String] = [:]
        for row in rows { values[try row.decode(at: 0)] = try row.decode(at: 1) }
        return AgencySettings(values: values)
    }

    func insertSession(userID: UUID, tokenHash: Data, createdAt: Date, expiresAt: Date, peer: String) async throws -> SessionRecord {
        try Self.session(
            try await connection.query(
                """
                INSERT INTO sessions (agency_id, user_id, token_hash, created_at, last_seen_at, expires_at, peer)
                VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING \(Self.sessionColumns)
                """, [agencyID, userID, tokenHash, createdAt, expiresAt, peer])[0])
    }

    func touchSession(id: UUID, at: Date) async throws {
        try await connection.execute(
            "UPDATE sessions SET last_seen_at = greatest(last_seen_at, $3) WHERE agency_id = $1 AND id = $2", [agencyID, id, at])
    }

    func endSession(id: UUID, at: Date, reason: String) async throws {
        try await connection.execute(
            "UPDATE sessions SET ended_at = $3, ended_reason = $4 WHERE agency_id = $1 AND id = $2 AND ended_at IS NULL",
            [agencyID, id, at, reason])
    }

    func endSessions(userID: UUID, except: UUID?, at: Date, reason: String) async throws {
        try await connection.execute(
            """
            UPDATE sessions SET ended_at = $4, ended_reason = $5
            WHERE agency_id = $1 AND user_id = $2 AND ended_at IS NULL AND ($3::uuid IS NULL OR id <> $3)
            """, [agencyID, userID, except, at, reason])
    }

    func finishIdempotencyKey(userID: UUID, key: String, claim: UUID, status: String, payload: Data) async throws {
        connection.deferStatement(
            """
            UPDATE idempotency_keys SET state = 'done', outcome_status = $5, outcome_payload = $6
            WHERE agency_id = $1 AND user_id = $2 AND key = $3 AND claim = $4
            """, [agencyID, userID, key, claim, status, payload])
    }

    func releaseIdempotencyKey(userID: UUID, key: String, claim: UUID) async throws {
        try await connection.execute(
            "DELETE FROM idempotency_keys WHERE agency_id = $1 AND user_id = $2 AND key = $3 AND claim = $4 AND state = 'running'",
            [agencyID, userID, key, claim])
    }

    func appendAudit(_ record: AuditRecord) async throws {
        let (sql, parameters) = Self.auditInsert(record, agencyID: agencyID)
        connection.deferStatement(sql, parameters)
    }

    static func auditInsert(_ record: AuditRecord, agencyID: UUID) -> (sql: String, parameters: [any PostgresEncodable]) {
        (
            """
            INSERT INTO agency_audit_log (agency_id, at, user_id, username, roles, method, target_ids, status, reason, peer, request_id, duration_us)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """,
            [
                agencyID, record.at, record.userID, record.username, record.roles.map(\.rawValue), record.method, record.targetIDs,
                record.status, record.reason, record.peer, record.requestID, record.durationMicroseconds,
            ]
        )
    }

    func auditEntries(_ filter: AuditFilter, after sequence: Int64?, limit: Int) async throws -> [AuditRecord] {
        let rows = try await connection.query(
            """
            SELECT l.id, l.at, l.user_id, l.username, l.roles, l.method, l.target_ids, l.status, l.reason, l.peer, l.request_id, l.duration_us, a.code
            FROM agency_audit_log l JOIN agencies a ON a.id = l.agency_id
            WHERE l.agency_id = $1 AND ($2::bigint IS NULL OR l.id < $2) AND ($3::text IS NULL OR l.username = $3)
              AND ($4::text IS NULL OR l.method = $4) AND ($5::text IS NULL OR l.status = $5)
              AND ($6::timestamptz IS NULL OR l.at >= $6) AND ($7::timestamptz IS NULL OR l.at < $7)
            ORDER BY l.id DESC LIMIT $8
            """,
            [agencyID, sequence, filter.username, filter.method, filter.status, filter.since, filter.until, limit])
        return try rows.map { row in
            AuditRecord(
                sequence: try row.decode(at: 0), at: try row.decode(at: 1), agencyID: agencyID, agencyCode: try row.decode(at: 12),
                userID: try row.decode(at: 2), username: try row.decode(at: 3), roles: try Self.roles(try row.decode(at: 4)),
                method: try row.decode(at: 5), targetIDs: try row.decode(at: 6), status: try row.decode(at: 7), reason: try row.decode(at: 8),
                peer: try row.decode(String?.self, at: 9) ?? "", requestID: try row.decode(String?.self, at: 10) ?? "",
                durationMicroseconds: try row.decode(at: 11))
        }
    }
}

/// Settings once read in a transaction.
private final class SettingsRead: Sendable {
    let value = Mutex<AgencySettings?>(nil)
    let prefetched = Mutex<DeferredAnswer?>(nil)
}
