import FazhiRules
import FazhiUseCases
import Foundation

/// Disclosure entries, the outbox and the log on PostgreSQL, inside one agency's
/// transaction.
struct PostgresDisclosureRecords: DisclosureRecords {
    let connection: PostgresConnection
    let agencyID: UUID

    func pendingOutbox(limit: Int) async throws -> [OutboxRecord] {
        try await PostgresOutbox(connection: connection, agencyID: agencyID).pending(limit: limit)
    }

    func claimOutbox(id: Int64) async throws -> Bool {
        try await PostgresOutbox(connection: connection, agencyID: agencyID).claim(id: id)
    }

    func markOutboxPublished(id: Int64, at now: Date) async throws {
        PostgresOutbox(connection: connection, agencyID: agencyID).markPublished(id: id, at: now)
    }

    private static let columns = """
        id, action, kind, subject, title, refers_to, content, content_sha256, category, party_type, item_code, occurred_on, due_on,
        due_provisional, state, published_at, late, released_by, superseded_by, leaf, leaf_index
        """

    func insert(_ entry: DisclosureEntry, sourceOutbox: Int64?, at now: Date) async throws {
        try await connection.execute(
            """
            INSERT INTO disclosure_entries (agency_id, \(Self.columns), source_outbox, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
            """,
            [
                agencyID, entry.id, entry.action.rawValue, entry.kind.rawValue, entry.subject, entry.title, entry.refersTo, entry.content,
                entry.contentSHA256, entry.category, entry.partyType, entry.itemCode, entry.occurredOn, entry.due, entry.dueProvisional,
                entry.state.rawValue, entry.publishedAt, entry.late, entry.releasedBy, entry.supersededBy, entry.leaf, entry.leafIndex,
                sourceOutbox, now,
            ])
        if entry.leaf != nil { connection.deferStatement("SELECT pg_notify('fazhi_disclosure', $1)", [agencyID.uuidString.lowercased()]) }
    }

    func entry(id: UUID, locking: Bool) async throws -> DisclosureEntry? {
        try await connection.query(
            "SELECT \(Self.columns) FROM disclosure_entries WHERE agency_id = $1 AND id = $2\(locking ? " FOR UPDATE" : "")", [agencyID, id]
        ).first.map(Self.entry)
    }

    func personNames(decisionNumber documentNumber: String) async throws -> Set<String> {
        Set(
            try await connection.query(
                """
                SELECT p.name FROM cases c JOIN parties p ON p.agency_id = c.agency_id AND p.id = c.party_id
                WHERE c.agency_id = $1 AND c.decision_number = $2 AND p.kind = 'person'
                """,
                [agencyID, documentNumber]
            ).map { row -> String in try row.decode(at: 0) })
    }

    func save(_ entry: DisclosureEntry) async throws {
        try await connection.execute(
            """
            UPDATE disclosure_entries SET content = $3, state = $4, published_at = $5, late = $6, released_by = $7, superseded_by = $8, leaf = $9
            WHERE agency_id = $1 AND id = $2
            """,
            [
                agencyID, entry.id, entry.content, entry.state.rawValue, entry.publishedAt, entry.late, entry.releasedBy, entry.supersededBy,
                entry.leaf,
            ])
        if entry.leaf != nil { connection.deferStatement("SELECT pg_notify('fazhi_disclosure', $1)", [agencyID.uuidString.lowercased()]) }
    }

    func publicEntries(_ filter: DisclosureFilter, after: (publishedAt: Date, id: UUID)?, limit: Int) async throws -> [DisclosureEntry] {
        try await connection.query(
            """
            SELECT \(Self.columns) FROM disclosure_entries
            WHERE agency_id = $1 AND state <> 'draft'
              AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR category = $3) AND ($4::text IS NULL OR party_type = $4)
              AND ($5::date IS NULL OR occurred_on >= $5) AND ($6::date IS NULL OR occurred_on <= $6)
              AND ($7::text IS NULL OR strpos(title, $7) > 0 OR strpos(subject, $7) > 0)
              AND ($8::timestamptz IS NULL OR (published_at, id) < ($8, $9::uuid))
            ORDER BY published_at DESC, id DESC LIMIT $10
            """,
            [
                agencyID, filter.kind?.rawValue, filter.category, filter.partyType, filter.from, filter.until, filter.text,
                after?.publishedAt, after?.id, limit,
            ]
        ).map(Self.entry)
    }

    func drafts(limit: Int) async throws -> [DisclosureEntry] {
        try await connection.query(
            "SELECT \(Self.columns) FROM disclosure_entries WHERE agency_id = $1 AND state = 'draft' ORDER BY due_on NULLS LAST, created_at, id LIMIT $2",
            [agencyID, limit]
        ).map(Self.entry)
    }

    func lockLog() async throws -> Bool {
        try await connection.query("SELECT pg_try_advisory_xact_lock(hashtext('fazhi.disclosure_log:' || $1::text))", [agencyID.uuidString])[0]
            .decode(at: 0)
    }

    func waitForLog() async throws {
        _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtext('fazhi.disclosure_log:' || $1::text))", [agencyID.uuidString])
    }

    func unsequenced(limit: Int) async throws -> [(id: UUID, leaf: Data)] {
        try await connection.query(
            "SELECT id, leaf FROM disclosure_entries WHERE agency_id = $1 AND leaf IS NOT NULL AND leaf_index IS NULL ORDER BY published_at, id LIMIT $2",
            [agencyID, limit]
        ).map { (try $0.decode(at: 0), try $0.decode(at: 1)) }
    }

    func setLeafIndexes(_ indexes: [(entryID: UUID, index: Int)]) async throws {
        guard !indexes.isEmpty else { return }
        connection.deferStatement(
            """
            UPDATE disclosure_entries e SET leaf_index = n.leaf_index
            FROM unnest($2::uuid[], $3::bigint[]) AS n (id, leaf_index) WHERE e.agency_id = $1 AND e.id = n.id
            """,
            [agencyID, indexes.map { $0.entryID.uuidString }, indexes.map { $0.index }])
    }

    func latestCheckpoint() async throws -> StoredCheckpoint? {
        try await connection.query(
            "SELECT size, root, note, created_at FROM disclosure_checkpoints WHERE agency_id = $1 ORDER BY size DESC LIMIT 1", [agencyID]
        ).first.map(Self.checkpoint)
    }

    func checkpoint(size: Int) async throws -> StoredCheckpoint? {
        try await connection.query(
            "SELECT size, root, note, created_at FROM disclosure_checkpoints WHERE agency_id = $1 AND size = $2", [agencyID, size]
        ).first.map(Self.checkpoint)
    }

    func insertCheckpoint(_ checkpoint: StoredCheckpoint) async throws {
        connection.deferStatement(
            "INSERT INTO disclosure_checkpoints (agency_id, size, root, note, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            [agencyID, checkpoint.size, checkpoint.root, checkpoint.note, checkpoint.createdAt])
    }

    func nodes(_ wanted: Set<MerkleNode>) async throws -> [MerkleNode: Data] {
        guard !wanted.isEmpty else { return [:] }
        let list = Array(wanted)
        var found: [MerkleNode: Data] = [:]
        for row in try await connection.query(
            """
            SELECT n.level, n.index, n.hash FROM unnest($2::smallint[], $3::bigint[]) AS w (level, index)
            JOIN disclosure_log_nodes n ON n.agency_id = $1 AND n.level = w.level AND n.index = w.index
            """,
            [agencyID, list.map { Int16($0.level) }, list.map(\.index)])
        {
            found[MerkleNode(level: Int(try row.decode(Int16.self, at: 0)), index: try row.decode(at: 1))] = try row.decode(at: 2)
        }
        return found
    }

    func insertNodes(_ nodes: [(MerkleNode, Data)]) async throws {
        guard !nodes.isEmpty else { return }
        connection.deferStatement(
            "INSERT INTO disclosure_log_nodes (agency_id, level, index, hash) SELECT $1, * FROM unnest($2::smallint[], $3::bigint[], $4::bytea[])",
            [agencyID, nodes.map { Int16($0.0.level) }, nodes.map { $0.0.index }, nodes.map(\.1)])
    }

    func entry(leafIndex: Int) async throws -> DisclosureEntry? {
        try await connection.query(
            "SELECT \(Self.columns) FROM disclosure_entries WHERE agency_id = $1 AND leaf_index = $2", [agencyID, leafIndex]
        ).first.map(Self.entry)
    }

    func entries(leafIndexes range: Range<Int>) async throws -> [DisclosureEntry] {
        try await connection.query(
            "SELECT \(Self.columns) FROM disclosure_entries WHERE agency_id = $1 AND leaf_index >= $2 AND leaf_index < $3 ORDER BY leaf_index",
            [agencyID, range.lowerBound, range.upperBound]
        ).map(Self.entry)
    }

    func leaves(_ range: Range<Int>) async throws -> [Data] {
        try await connection.query(
            "SELECT leaf FROM disclosure_entries WHERE agency_id = $1 AND leaf_index >= $2 AND leaf_index < $3 ORDER BY leaf_index",
            [agencyID, range.lowerBound, range.upperBound]
        ).map { try $0.decode(at: 0) }
    }

    private static func checkpoint(_ row: PostgresRow) throws -> StoredCheckpoint {
        StoredCheckpoint(size: try row.decode(at: 0), root: try row.decode(at: 1), note: try row.decode(at: 2), createdAt: try row.decode(at: 3))
    }

    private static func entry(_ row: PostgresRow) throws -> DisclosureEntry {
        func value<E: RawRepresentable>(_ type: E.Type, _ column: Int, _ name: String) throws -> E where E.RawValue == String {
            let raw: String = try row.decode(at: column)
            guard let value = E(rawValue: raw) else {
                throw PostgresError(code: .decoding, message: "disclosure_entries.\(name) holds an unknown value \(raw)")
            }
            return value
        }
        return DisclosureEntry(
            stored: try row.decode(at: 0), action: try value(DisclosureEntry.Action.self, 1, "action"),
            kind: try value(DisclosureEntry.Kind.self, 2, "kind"),
            subject: try row.decode(at: 3), title: try row.decode(at: 4), refersTo: try row.decode(at: 5), content: try row.decode(at: 6),
            contentSHA256: try row.decode(at: 7), category: try row.decode(at: 8), partyType: try row.decode(at: 9), itemCode: try row.decode(at: 10),
            occurredOn: try row.decode(at: 11), due: try row.decode(at: 12), dueProvisional: try row.decode(at: 13),
            state: try value(DisclosureEntry.State.self, 14, "state"), publishedAt: try row.decode(at: 15), late: try row.decode(at: 16),
            releasedBy: try row.decode(at: 17), supersededBy: try row.decode(at: 18), leaf: try row.decode(at: 19),
            leafIndex: try row.decode(Int64?.self, at: 20).map(Int.init))
    }
}
