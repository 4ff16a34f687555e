import FazhiRules
import FazhiUseCases
import Foundation

/// Officers, exam results and training hours.
extension PostgresCredentialRecords {
    func insertOfficer(_ officer: NewOfficer, at: Date) async throws -> UUID {
        do {
            return try await connection.query(
                """
                INSERT INTO officers (agency_id, user_id, name, unit, position, id_number_sealed, id_number_index, id_number_masked, contact_sealed, contact_masked, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
                """,
                [
                    agencyID, officer.userID, officer.name, officer.unit, officer.position, officer.idNumberSealed, officer.idNumberIndex,
                    officer.idNumberMasked, officer.contactSealed, officer.contactMasked, at,
                ]
            )[0].decode(at: 0)
        } catch let error as PostgresError where error.code == .uniqueViolation && error.constraint == "officers_id_number_unique" {
            throw DomainError.conflict(.officerIDNumberRecorded)
        } catch let error as PostgresError where error.code == .uniqueViolation && error.constraint == "officers_user_unique" {
            throw DomainError.conflict(.userAlreadyAnOfficer)
        }
    }

    private static let officerColumns = """
        o.id, o.name, o.unit, o.position, o.user_id, u.username, o.id_number_sealed, o.id_number_masked, o.contact_sealed, o.contact_masked, o.created_at
        FROM officers o LEFT JOIN users u ON u.agency_id = o.agency_id AND u.id = o.user_id
        """

    private func officer(_ row: PostgresRow) throws -> Officer {
        Officer(
            id: try row.decode(at: 0), name: try row.decode(at: 1), unit: try row.decode(at: 2), position: try row.decode(at: 3),
            userID: try row.decode(at: 4), username: try row.decode(at: 5), idNumberSealed: try row.decode(at: 6),
            idNumberMasked: try row.decode(at: 7),
            contactSealed: try row.decode(at: 8), contactMasked: try row.decode(at: 9), createdAt: try row.decode(at: 10))
    }

    func officer(id: UUID) async throws -> Officer? {
        try await connection.query("SELECT \(Self.officerColumns) WHERE o.agency_id = $1 AND o.id = $2", [agencyID, id]).first.map(officer)
    }

    func officer(userID: UUID) async throws -> Officer? {
        try await connection.query("SELECT \(Self.officerColumns) WHERE o.agency_id = $1 AND o.user_id = $2", [agencyID, userID]).first.map(officer)
    }

    func officers(after: (name: String, id: UUID)?, limit: Int) async throws -> [Officer] {
        let rows =
            if let after {
                try await connection.query(
                    "SELECT \(Self.officerColumns) WHERE o.agency_id = $1 AND (o.name, o.id) > ($2, $3) ORDER BY o.name, o.id LIMIT $4",
                    [agencyID, after.name, after.id, limit])
            } else {
                try await connection.query("SELECT \(Self.officerColumns) WHERE o.agency_id = $1 ORDER BY o.name, o.id LIMIT $2", [agencyID, limit])
            }
        return try rows.map(officer)
    }

    func insertExamResult(officerID: UUID, _ result: Credential.ExamResult, recordedBy: UUID) async throws {
        try await connection.execute(
            "INSERT INTO exam_results (agency_id, officer_id, day, score, recorded_by) VALUES ($1, $2, $3, $4, $5)",
            [agencyID, officerID, result.day, result.score, recordedBy])
    }

    func examResults(officerIDs: [UUID]) async throws -> [UUID: [Credential.ExamResult]] {
        var results = Dictionary(uniqueKeysWithValues: officerIDs.map { ($0, [Credential.ExamResult]()) })
        for row in try await connection.query(
            "SELECT officer_id, day, score FROM exam_results WHERE agency_id = $1 AND officer_id = ANY($2) ORDER BY officer_id, day DESC, recorded_at DESC",
            [agencyID, officerIDs])
        {
            results[try row.decode(at: 0), default: []].append(Credential.ExamResult(day: try row.decode(at: 1), score: try row.decode(at: 2)))
        }
        return results
    }

    func setTrainingHours(officerID: UUID, year: Int, hours: Int) async throws {
        try await connection.execute(
            """
            INSERT INTO training_hours (agency_id, officer_id, year, hours) VALUES ($1, $2, $3, $4)
            ON CONFLICT (agency_id, officer_id, year) DO UPDATE SET hours = EXCLUDED.hours
            """, [agencyID, officerID, year, hours])
    }

    func trainingHours(officerIDs: [UUID]) async throws -> [UUID: [Int: Int]] {
        var hours = Dictionary(uniqueKeysWithValues: officerIDs.map { ($0, [Int: Int]()) })
        for row in try await connection.query(
            "SELECT officer_id, year, hours FROM training_hours WHERE agency_id = $1 AND officer_id = ANY($2)", [agencyID, officerIDs])
        {
            hours[try row.decode(at: 0), default: [:]][try row.decode(at: 1)] = try row.decode(at: 2)
        }
        return hours
    }
}
