import FazhiRules
import FazhiUseCases
import Foundation

/// Credentials on PostgreSQL, inside one agency's transaction.
struct PostgresCredentialRecords: CredentialRecords {
    let connection: PostgresConnection
    let agencyID: UUID

    func nextCredentialNumber(agencyCode: String, year: Int) async throws -> String {
        // The counter row is locked until the transaction ends; a rolled-back issuance
        // gives its number back with it, a committed one never does.
        let serial: Int32 = try await connection.query(
            """
            INSERT INTO credential_number_counters (agency_id, year, next) VALUES ($1, $2, 2)
            ON CONFLICT (agency_id, year) DO UPDATE SET next = credential_number_counters.next + 1
            RETURNING next - 1
            """, [agencyID, year])[0].decode(at: 0)
        return String(format: "%@-%04d-%05d", agencyCode, year, serial)
    }

    func insertCredential(_ credential: Credential) async throws {
        try await connection.execute(
            """
            INSERT INTO credentials (agency_id, id, officer_id, number, state, categories, areas, exam_day, exam_score, valid_from, valid_until, successor)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """,
            [
                agencyID, credential.id, credential.officerID, credential.number, credential.state.rawValue, credential.categories.sorted(),
                credential.areas.map(\.code), credential.exam.day, credential.exam.score, credential.validFrom, credential.validUntil,
                credential.successor,
            ])
        try await insertTransitions(credential.history, of: credential.id)
        try await insertReviews(of: credential)
    }

    private func insertTransitions(_ transitions: some Collection<Credential.Transition>, of id: UUID) async throws {
        for transition in transitions {
            try await connection.execute(
                """
                INSERT INTO credential_transitions (agency_id, credential_id, from_state, to_state, event, reason, actor, at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """,
                [
                    agencyID, id, transition.from.rawValue, transition.to.rawValue, transition.event, transition.reason, transition.actor,
                    transition.at,
                ])
        }
    }

    private static let columns = "id, officer_id, number, state, categories, areas, exam_day, exam_score, valid_from, valid_until, successor, version"

    func credential(id: UUID, locking: Bool) async throws -> (Credential, version: Int)? {
        try await load(where: "id = $2", id, locking: locking).first
    }

    func credentials(officerID: UUID) async throws -> [Credential] {
        try await load(where: "officer_id = $2", officerID, locking: false).map(\.0)
    }

    func credentials(officerIDs: [UUID]) async throws -> [UUID: [Credential]] {
        var byOfficer = Dictionary(uniqueKeysWithValues: officerIDs.map { ($0, [Credential]()) })
        for (credential, _) in try await load(where: "officer_id = ANY($2)", officerIDs, locking: false) {
            byOfficer[credential.officerID, default: []].append(credential)
        }
        return byOfficer
    }

    func credential(number: String) async throws -> (Credential, holderName: String)? {
        let rows = try await connection.query(
            "SELECT c.id, o.name FROM credentials c JOIN officers o ON o.agency_id = c.agency_id AND o.id = c.officer_id WHERE c.agency_id = $1 AND c.number = $2",
            [agencyID, number])
        guard let row = rows.first, let (credential, _) = try await self.credential(id: try row.decode(at: 0), locking: false) else { return nil }
        return (credential, try row.decode(at: 1))
    }

    func sweepCandidates() async throws -> [UUID] {
        try await connection.query("SELECT id FROM credentials WHERE agency_id = $1 AND state IN ('active', 'suspended') ORDER BY id", [agencyID])
            .map { try $0.decode(at: 0) }
    }

    /// The credentials matching `condition` (on `credentials`, with `$2` bound to `key`),
    /// with their transitions and reviews: three statements in one round trip, since
    /// authority is asked for every officer an act names.
    private func load(where condition: String, _ key: some PostgresEncodable, locking: Bool) async throws -> [(Credential, version: Int)] {
        let selected = "SELECT id FROM credentials WHERE agency_id = $1 AND \(condition)"
        let answers = try await connection.pipelined([
            (
                "SELECT \(Self.columns) FROM credentials WHERE agency_id = $1 AND \(condition) ORDER BY valid_from NULLS LAST, id\(locking ? " FOR UPDATE" : "")",
                [agencyID, key]
            ),
            (
                """
                SELECT credential_id, from_state, to_state, event, reason, actor, at FROM credential_transitions
                WHERE agency_id = $1 AND credential_id IN (\(selected)) ORDER BY credential_id, id
                """, [agencyID, key]
            ),
            (
                """
                SELECT credential_id, year, training_hours, outcome, reviewer, recorded_on FROM credential_reviews
                WHERE agency_id = $1 AND credential_id IN (\(selected))
                """, [agencyID, key]
            ),
        ])
        var histories: [UUID: [Credential.Transition]] = [:]
        for row in answers[1] {
            histories[try row.decode(at: 0), default: []].append(
                Credential.Transition(
                    from: try Self.state(row.decode(at: 1)), to: try Self.state(row.decode(at: 2)),
                    event: try row.decode(at: 3), reason: try row.decode(at: 4), actor: try row.decode(at: 5), at: try row.decode(at: 6)))
        }
        var reviews: [UUID: [Int: Credential.Review]] = [:]
        for row in answers[2] {
            let year: Int = try row.decode(at: 1)
            guard let outcome = Credential.Review.Outcome(rawValue: try row.decode(at: 3)) else {
                throw PostgresError(code: .decoding, message: "credential_reviews.outcome holds an unknown outcome")
            }
            reviews[try row.decode(at: 0), default: [:]][year] = Credential.Review(
                year: year, trainingHours: try row.decode(at: 2), outcome: outcome, reviewer: try row.decode(at: 4), recordedOn: try row.decode(at: 5)
            )
        }
        return try answers[0].map { row in
            let id: UUID = try row.decode(at: 0)
            let areas: [String] = try row.decode(at: 5)
            let credential = Credential(
                id: id, officerID: try row.decode(at: 1), number: try row.decode(at: 2), state: try Self.state(row.decode(at: 3)),
                categories: Set(try row.decode([String].self, at: 4)), areas: try areas.map(DivisionCode.init),
                exam: .init(day: try row.decode(at: 6), score: try row.decode(at: 7)),
                validFrom: try row.decode(at: 8), validUntil: try row.decode(at: 9), reviews: reviews[id] ?? [:], successor: try row.decode(at: 10),
                history: histories[id] ?? [])
            return (credential, try row.decode(at: 11))
        }
    }

    private static func state(_ raw: String) throws -> Credential.State {
        guard let state = Credential.State(rawValue: raw) else {
            throw PostgresError(code: .decoding, message: "a credential holds the unknown state \(raw)")
        }
        return state
    }

    func save(_ credential: Credential, readAt version: Int) async throws -> Bool {
        let updated = try await connection.execute(
            """
            UPDATE credentials SET number = $3, state = $4, valid_from = $5, valid_until = $6, successor = $7, version = version + 1
            WHERE agency_id = $1 AND id = $2 AND version = $8
            """,
            [
                agencyID, credential.id, credential.number, credential.state.rawValue, credential.validFrom, credential.validUntil,
                credential.successor, version,
            ])
        guard updated == 1 else { return false }
        let stored: Int = try await connection.query(
            "SELECT count(*)::int FROM credential_transitions WHERE agency_id = $1 AND credential_id = $2", [agencyID, credential.id])[0].decode(
                at: 0)
        try await insertTransitions(credential.history.dropFirst(stored), of: credential.id)
        try await insertReviews(of: credential)
        return true
    }

    /// Reviews are never changed once recorded: a new one is inserted, a known one kept.
    private func insertReviews(of credential: Credential) async throws {
        for review in credential.reviews.values {
            try await connection.execute(
                """
                INSERT INTO credential_reviews (agency_id, credential_id, year, training_hours, outcome, reviewer, recorded_on)
                VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING
                """,
                [agencyID, credential.id, review.year, review.trainingHours, review.outcome.rawValue, review.reviewer, review.recordedOn])
        }
    }
}
