import FazhiRules
import FazhiUseCases
import Foundation

/// The public-record outbox, agencies' signing keys and issued client certificates.
extension PostgresCredentialRecords {
    func queuePublicRecord(_ entry: PublicRecordEntry) async throws {
        guard let topic = PostgresOutbox.Topic(rawValue: entry.topic) else {
            throw PostgresError(code: .decoding, message: "a credential event queued under the unknown topic \(entry.topic)")
        }
        try await PostgresOutbox(connection: connection, agencyID: agencyID).queue(
            entry, topic: topic, subject: entry.subject, event: entry.event, at: entry.occurredAt)
    }

    func unpublishedPublicRecords(limit: Int) async throws -> [PublicRecordEntry] {
        try await PostgresOutbox(connection: connection, agencyID: agencyID).pendingCredentialEvents(limit: limit)
    }

    func signingKey(purpose: String) async throws -> StoredSigningKey? {
        try await connection.query(
            "SELECT public_key, private_key_sealed FROM agency_signing_keys WHERE agency_id = $1 AND purpose = $2 AND retired_at IS NULL",
            [agencyID, purpose]
        ).first.map { StoredSigningKey(publicKey: try $0.decode(at: 0), privateKeySealed: try $0.decode(at: 1)) }
    }

    func insertSigningKey(purpose: String, _ key: StoredSigningKey) async throws -> StoredSigningKey {
        try await connection.execute(
            "INSERT INTO agency_signing_keys (agency_id, purpose, public_key, private_key_sealed) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            [agencyID, purpose, key.publicKey, key.privateKeySealed])
        guard let stored = try await signingKey(purpose: purpose) else {
            throw PostgresError(code: .decoding, message: "agency_signing_keys holds no \(purpose) key after inserting one")
        }
        return stored
    }

    func signingKeyHistory(purpose: String) async throws -> [PublishedSigningKey] {
        try await connection.query(
            "SELECT public_key, created_at, retired_at FROM agency_signing_keys WHERE agency_id = $1 AND purpose = $2 ORDER BY created_at, public_key",
            [agencyID, purpose]
        ).map { PublishedSigningKey(publicKey: try $0.decode(at: 0), createdAt: try $0.decode(at: 1), retiredAt: try $0.decode(at: 2)) }
    }

    func retireSigningKey(purpose: String, at time: Date) async throws -> Bool {
        try await connection.execute(
            "UPDATE agency_signing_keys SET retired_at = $3 WHERE agency_id = $1 AND purpose = $2 AND retired_at IS NULL", [agencyID, purpose, time]
        ) > 0
    }

    func insertClientCertificate(_ certificate: IssuedClientCertificate) async throws {
        try await connection.execute(
            "INSERT INTO client_certificates (agency_id, serial, credential_id, not_after, issued_at, issued_by) VALUES ($1, $2, $3, $4, $5, $6)",
            [agencyID, certificate.serial, certificate.credentialID, certificate.notAfter, certificate.issuedAt, certificate.issuedBy])
    }
}
