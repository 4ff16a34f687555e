import FazhiRules
import FazhiUseCases
import Foundation

/// The public-record outbox (`public_record_outbox`), in one place: a change queues what
/// the law makes public inside its own transaction (a credential's event, a power list
/// version, a decision), and the disclosure worker reads, claims and marks it.
/// One encoding for every payload: instants as whole microseconds since 1970, the
/// precision of timestamptz (ISO 8601 text would drop the fraction of a second).
struct PostgresOutbox {
    let connection: PostgresConnection
    let agencyID: UUID

    enum Topic: String {
        case enforcementPersonnel = "enforcement_personnel"
        case powerList = "power_list"
        case decision
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
        }
        return encoder
    }()

    /// Reads the one encoding, and ISO 8601 text, which credential events were queued with
    /// before the outbox had one encoding (rows may still wait in a database upgraded since).
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let microseconds = try? container.decode(Int64.self) { return Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }
            let text = try container.decode(String.self)
            guard let date = ISO8601DateFormatter().date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an instant: \(text)")
            }
            return date
        }
        return decoder
    }()

    /// Queues `payload`. `deferred` sends the insert with the transaction's next statement
    /// instead of on its own (a case's decision, which pipelines its statements).
    func queue(_ payload: some Encodable, topic: Topic, subject: String, event: String, at occurredAt: Date, deferred: Bool = false) async throws {
        let sql = "INSERT INTO public_record_outbox (agency_id, topic, subject, event, payload, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)"
        let parameters: [any PostgresEncodable] = [agencyID, topic.rawValue, subject, event, try JSONB(payload, encoder: Self.encoder), occurredAt]
        if deferred {
            connection.deferStatement(sql, parameters)
        } else {
            try await connection.execute(sql, parameters)
        }
    }

    /// What waits for publication, oldest first.
    func pending(limit: Int) async throws -> [OutboxRecord] {
        try await connection.query(
            "SELECT id, topic, payload, occurred_at FROM public_record_outbox WHERE agency_id = $1 AND published_at IS NULL ORDER BY id LIMIT $2",
            [agencyID, limit]
        ).map { row in
            let id: Int64 = try row.decode(at: 0)
            let topic: String = try row.decode(at: 1)
            let payload = try row.decode(JSONB.self, at: 2)
            let decoded: OutboxRecord.Payload
            switch Topic(rawValue: topic) {
            case .enforcementPersonnel: decoded = .enforcementPersonnel(try payload.decode(PublicRecordEntry.self, decoder: Self.decoder))
            case .powerList: decoded = .powerList(try payload.decode(PowerListChanges.self, decoder: Self.decoder))
            case .decision: decoded = .decision(try payload.decode(DecisionDisclosure.self, decoder: Self.decoder))
            case nil: throw PostgresError(code: .decoding, message: "public_record_outbox row \(id) has the unknown topic \(topic)")
            }
            return OutboxRecord(id: id, payload: decoded, occurredAt: try row.decode(at: 3))
        }
    }

    /// The credential events waiting, oldest first.
    func pendingCredentialEvents(limit: Int) async throws -> [PublicRecordEntry] {
        try await connection.query(
            "SELECT payload FROM public_record_outbox WHERE agency_id = $1 AND topic = $2 AND published_at IS NULL ORDER BY id LIMIT $3",
            [agencyID, Topic.enforcementPersonnel.rawValue, limit]
        ).map { try $0.decode(JSONB.self, at: 0).decode(PublicRecordEntry.self, decoder: Self.decoder) }
    }

    /// False when another worker holds the row or it was published meanwhile.
    func claim(id: Int64) async throws -> Bool {
        try await !connection.query(
            "SELECT 1 FROM public_record_outbox WHERE agency_id = $1 AND id = $2 AND published_at IS NULL FOR UPDATE SKIP LOCKED", [agencyID, id]
        ).isEmpty
    }

    func markPublished(id: Int64, at now: Date) {
        connection.deferStatement("UPDATE public_record_outbox SET published_at = $3 WHERE agency_id = $1 AND id = $2", [agencyID, id, now])
    }
}
