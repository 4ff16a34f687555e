import FazhiRules
import FazhiUseCases
import Foundation

/// Cases on PostgreSQL, inside one agency's transaction: the state machine's value as
/// jsonb, indexed by the columns searches use; the record append-only.
struct PostgresCaseRecords: CaseRecords {
    let connection: PostgresConnection
    let agencyID: UUID

    // Instants as whole microseconds since 1970, the precision of timestamptz: ISO 8601
    // text would drop the fraction of a second. Keys are not sorted: jsonb keeps its own
    // order, whatever order the text had.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
        }
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            Date(timeIntervalSince1970: Double(try decoder.singleValueContainer().decode(Int64.self)) / 1_000_000)
        }
        return decoder
    }()

    private func columns(_ kase: EnforcementCase) throws -> [any PostgresEncodable] {
        [
            kase.status.rawValue, kase.nextStep?.rawValue, kase.openedOn, kase.decision?.documentNumber, kase.decision?.fine,
            try JSONB(kase, encoder: Self.encoder),
        ]
    }

    func insert(_ kase: EnforcementCase, at now: Date) async throws {
        try await connection.execute(
            """
            INSERT INTO cases (agency_id, id, kind, item_version, item_code, party_id, area, status, next_step, opened_on, decision_number, fine, state, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
            """,
            [agencyID, kase.id, kase.kind.rawValue, kase.itemVersion, kase.item.code, kase.partyID, kase.area.code] + (try columns(kase)) + [now])
    }

    func kase(id: UUID, locking: Bool) async throws -> (EnforcementCase, version: Int)? {
        guard
            let row = try await connection.query(
                "SELECT state, version FROM cases WHERE agency_id = $1 AND id = $2\(locking ? " FOR UPDATE" : "")", [agencyID, id]
            ).first
        else { return nil }
        return (try row.decode(JSONB.self, at: 0).decode(EnforcementCase.self, decoder: Self.decoder), try row.decode(at: 1))
    }

    func save(_ kase: EnforcementCase, readAt version: Int, at now: Date) async throws -> Bool {
        do {
            return try await connection.execute(
                "\(Self.update) AND version = $10", [agencyID, kase.id] + (try columns(kase)) + [now, version]) == 1
        } catch let error as PostgresError where error.code == .uniqueViolation && error.constraint == "cases_decision_number_unique" {
            throw DomainError.conflict(.decisionNumberTaken)
        }
    }

    func saveLocked(_ kase: EnforcementCase, at now: Date) async throws {
        connection.deferStatement(Self.update, [agencyID, kase.id] + (try columns(kase)) + [now])
    }

    private static let update = """
        UPDATE cases SET status = $3, next_step = $4, opened_on = $5, decision_number = $6, fine = $7, state = $8, updated_at = $9, version = version + 1
        WHERE agency_id = $1 AND id = $2
        """

    func addOfficers(caseID: UUID, _ officers: [UUID]) async throws {
        connection.deferStatement(
            "INSERT INTO case_officers (agency_id, case_id, officer_id) SELECT $1, $2, unnest($3::uuid[]) ON CONFLICT DO NOTHING",
            [agencyID, caseID, officers.map(\.uuidString)])
    }

    func append(_ entry: CaseRecordEntry, toCase caseID: UUID) async throws {
        connection.deferStatement(
            """
            INSERT INTO case_record (agency_id, case_id, step, event, actor, officers, text, evidence, corrects, at)
            VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9, $10)
            """,
            [
                agencyID, caseID, entry.step, entry.event, entry.actor, entry.officers.map(\.uuidString), entry.text, entry.evidence, entry.corrects,
                entry.at,
            ])
    }

    func appendRecord(caseID: UUID, _ entry: CaseRecordEntry) async throws -> Int64 {
        try await connection.query(
            """
            INSERT INTO case_record (agency_id, case_id, step, event, actor, officers, text, evidence, corrects, at)
            VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9, $10) RETURNING id
            """,
            [
                agencyID, caseID, entry.step, entry.event, entry.actor, entry.officers.map(\.uuidString), entry.text, entry.evidence, entry.corrects,
                entry.at,
            ]
        )[0].decode(at: 0)
    }

    func referencedEvidence(_ hashes: [String]) async throws -> Set<String> {
        Set(
            try await connection.query(
                "SELECT DISTINCT hash FROM case_record, unnest(evidence) AS hash WHERE agency_id = $1 AND evidence && $2::text[] AND hash = ANY($2::text[])",
                [agencyID, hashes]
            ).map { row -> String in try row.decode(at: 0) })
    }

    func record(caseID: UUID) async throws -> [CaseRecordEntry] {
        try await connection.query(
            "SELECT id, step, event, actor, officers::text[], text, evidence, corrects, at FROM case_record WHERE agency_id = $1 AND case_id = $2 ORDER BY id",
            [agencyID, caseID]
        ).map { row in
            let officers: [String] = try row.decode(at: 4)
            return CaseRecordEntry(
                id: try row.decode(at: 0), step: try row.decode(at: 1), event: try row.decode(at: 2), actor: try row.decode(at: 3),
                officers: officers.compactMap(UUID.init(uuidString:)), text: try row.decode(at: 5), evidence: try row.decode(at: 6),
                corrects: try row.decode(at: 7), at: try row.decode(at: 8))
        }
    }

    func cases(_ filter: CaseFilter, after: UUID?, limit: Int) async throws -> [EnforcementCase] {
        // One statement for every filter: a NULL parameter switches its condition off.
        try await connection.query(
            """
            SELECT c.state FROM cases c
            WHERE c.agency_id = $1
              AND ($2::text IS NULL OR c.status = $2::text)
              AND ($3::text IS NULL OR c.item_code = $3::text)
              AND ($4::uuid IS NULL OR c.party_id = $4::uuid)
              AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM case_officers o WHERE o.agency_id = c.agency_id AND o.case_id = c.id AND o.officer_id = $5::uuid))
              AND ($6::date IS NULL OR c.opened_on >= $6::date)
              AND ($7::date IS NULL OR c.opened_on <= $7::date)
              AND ($8::uuid IS NULL OR (c.created_at, c.id) < (SELECT created_at, id FROM cases WHERE agency_id = $1 AND id = $8::uuid))
              AND ($10::text IS NULL OR c.kind = $10::text)
            ORDER BY c.created_at DESC, c.id DESC LIMIT $9
            """,
            [
                agencyID, filter.status?.rawValue, filter.itemCode, filter.partyID, filter.officerID, filter.openedFrom, filter.openedUntil, after,
                limit,
                filter.kind?.rawValue,
            ]
        ).map { try $0.decode(JSONB.self, at: 0).decode(EnforcementCase.self, decoder: Self.decoder) }
    }

    func queueDisclosure(_ disclosure: DecisionDisclosure, at now: Date) async throws {
        try await PostgresOutbox(connection: connection, agencyID: agencyID).queue(
            disclosure, topic: .decision, subject: disclosure.documentNumber, event: "decide", at: now, deferred: true)
    }

    func nextDecisionNumber(pattern: String, year: Int) async throws -> String {
        // The counter row stays locked until the transaction ends, so two decisions never
        // share a number; a rolled-back one gives its number back.
        let serial: Int32 = try await connection.query(
            """
            INSERT INTO decision_number_counters (agency_id, pattern, year, next) VALUES ($1, $2, $3, 2)
            ON CONFLICT (agency_id, pattern, year) DO UPDATE SET next = decision_number_counters.next + 1
            RETURNING next - 1
            """, [agencyID, pattern, year])[0].decode(at: 0)
        return pattern.replacingOccurrences(of: "{year}", with: String(year)).replacingOccurrences(
            of: "{serial}", with: String(format: "%03d", serial))
    }
}
