import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Testing

/// The public-record outbox has one encoding; rows queued before it had one (credential
/// events with ISO 8601 instants) are still read, so an upgraded database publishes them.
@Suite(.timeLimit(.minutes(2))) struct OutboxTests {
    @Test func rowsOfEitherEncodingAreReadBackWithTheirInstants() async throws {
        try await TestDatabase.with { db in
            let fixture = try await CredentialStoreTests.fixture(db)
            let occurred = Date(timeIntervalSince1970: 1_700_000_000.123456)
            @Sendable func entry(_ subject: String) -> PublicRecordEntry {
                PublicRecordEntry(
                    subject: subject, event: "issue", holderName: "执法员", categories: ["社会组织管理"], areas: ["411202"], state: "active",
                    validFrom: "2026-01-01", validUntil: "2031-01-01", successor: nil, occurredAt: occurred)
            }
            try await fixture.store.transaction(agency: fixture.agency.id, .write(for: nil)) { tx in
                try await tx.credentials.queuePublicRecord(entry("411202-MZ-2026-00001"))
            }
            // A row as the outbox was written before its encoding was shared.
            let legacy = JSONEncoder()
            legacy.dateEncodingStrategy = .iso8601
            let payload = String(decoding: try legacy.encode(entry("411202-MZ-2026-00002")), as: UTF8.self)
            let owner = try await db.ownerConnection()
            try await owner.transaction(TransactionOptions(agencyID: fixture.agency.id)) { connection in
                try await connection.query(
                    """
                    INSERT INTO public_record_outbox (agency_id, topic, subject, event, payload, occurred_at)
                    VALUES ($1, 'enforcement_personnel', '411202-MZ-2026-00002', 'issue', $2::jsonb, $3)
                    """, [fixture.agency.id, payload, occurred])
            }
            owner.close()

            let pending = try await fixture.store.transaction(agency: fixture.agency.id, .read) { tx in
                try await tx.disclosures.pendingOutbox(limit: 10)
            }
            let subjects = pending.compactMap { record -> (String, Date)? in
                guard case .enforcementPersonnel(let entry) = record.payload else { return nil }
                return (entry.subject, entry.occurredAt)
            }
            #expect(subjects.map(\.0) == ["411202-MZ-2026-00001", "411202-MZ-2026-00002"])
            // The shared encoding keeps the microseconds; ISO 8601 text kept whole seconds.
            #expect(abs(subjects[0].1.timeIntervalSince(occurred)) < 0.000_001)
            #expect(abs(subjects[1].1.timeIntervalSince(occurred)) < 1)
            await fixture.pool.close()
        }
    }
}
