import FazhiRules
import FazhiUseCases
import Foundation

/// Parties on PostgreSQL, inside one agency's transaction.
struct PostgresPartyRecords: PartyRecords {
    let connection: PostgresConnection
    let agencyID: UUID

    private static let columns = "id, kind, name, credit_code, institution_type, capacity, id_number_sealed, id_number_masked, area, created_at"

    private func decode(_ row: PostgresRow) throws -> Party {
        guard let kind = Party.Kind(rawValue: try row.decode(at: 1)) else {
            throw PostgresError(code: .decoding, message: "parties.kind holds an unknown kind")
        }
        let type: String? = try row.decode(at: 4)
        return Party(
            id: try row.decode(at: 0), kind: kind, name: try row.decode(at: 2), creditCode: try row.decode(at: 3),
            institutionType: type.flatMap(Party.InstitutionType.init), capacity: try row.decode(at: 5),
            idNumberSealed: try row.decode(at: 6), idNumberMasked: try row.decode(at: 7),
            area: try DivisionCode(try row.decode(at: 8)), createdAt: try row.decode(at: 9))
    }

    func insert(_ party: NewParty, by user: UUID, at now: Date) async throws -> Party {
        do {
            return try decode(
                try await connection.query(
                    """
                    INSERT INTO parties (agency_id, kind, name, credit_code, institution_type, capacity, id_number_sealed, id_number_index, id_number_masked, area, created_by, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING \(Self.columns)
                    """,
                    [
                        agencyID, party.kind.rawValue, party.name, party.creditCode, party.institutionType?.rawValue, party.capacity,
                        party.idNumberSealed, party.idNumberIndex, party.idNumberMasked, party.area.code, user, now,
                    ])[0])
        } catch let error as PostgresError where error.code == .uniqueViolation && error.constraint == "parties_credit_code_unique" {
            throw DomainError.conflict(.partyCreditCodeRecorded)
        } catch let error as PostgresError where error.code == .uniqueViolation && error.constraint == "parties_id_number_unique" {
            throw DomainError.conflict(.partyIDNumberRecorded)
        }
    }

    func party(id: UUID) async throws -> Party? {
        try await connection.query("SELECT \(Self.columns) FROM parties WHERE agency_id = $1 AND id = $2", [agencyID, id]).first.map(decode)
    }

    func parties(nameContains: String?, kind: Party.Kind?, after: (name: String, id: UUID)?, limit: Int) async throws -> [Party] {
        // One statement for every filter: a NULL parameter switches its condition off.
        try await connection.query(
            """
            SELECT \(Self.columns) FROM parties
            WHERE agency_id = $1
              AND ($2::text IS NULL OR strpos(name, $2::text) > 0)
              AND ($3::text IS NULL OR kind = $3::text)
              AND ($4::text IS NULL OR (name, id) > ($4::text, $5::uuid))
            ORDER BY name, id LIMIT $6
            """, [agencyID, nameContains, kind?.rawValue, after?.name, after?.id, limit]
        ).map(decode)
    }
}
