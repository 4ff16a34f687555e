import FazhiGateway
import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import Synchronization
import Testing

/// The portal's list pages and log tiles read from the replica it is given (a standby in
/// production); one entry, credential verification and the log's keys never do, so a
/// suspension or a withdrawal is never shown stale.
@Suite(.timeLimit(.minutes(3))) struct PortalReplicaTests {
    /// A store that counts what is read through it and passes everything on.
    final class CountingStore: TenantStore {
        let inner: any TenantStore
        private let reads = Mutex(0)
        init(_ inner: any TenantStore) { self.inner = inner }

        var count: Int { reads.withLock { $0 } }
        func reset() { reads.withLock { $0 = 0 } }
        private func read() { reads.withLock { $0 += 1 } }

        func agency(code: String) async throws -> Agency? {
            read()
            return try await inner.agency(code: code)
        }
        func agencies(after code: String?, limit: Int) async throws -> [Agency] {
            read()
            return try await inner.agencies(after: code, limit: limit)
        }
        func createAgency(code: String, name: String, divisionCode: String, admin: NewUser, audit: AuditRecord?, at now: Date) async throws -> Agency
        {
            try await inner.createAgency(code: code, name: name, divisionCode: divisionCode, admin: admin, audit: audit, at: now)
        }
        func transaction<T: Sendable>(
            agency: UUID, _ access: TransactionAccess, _ body: @Sendable (any TenantTransaction) async throws -> T
        ) async throws -> T {
            read()
            return try await inner.transaction(agency: agency, access, body)
        }
        func liveSession(agency: UUID, tokenHash: Data) async throws -> LiveSession? {
            try await inner.liveSession(agency: agency, tokenHash: tokenHash)
        }
        func claimIdempotencyKey(
            agency: UUID, userID: UUID, key: String, method: String, fingerprint: Data, claim: UUID, now: Date
        ) async throws -> IdempotencyClaim {
            try await inner.claimIdempotencyKey(
                agency: agency, userID: userID, key: key, method: method, fingerprint: fingerprint, claim: claim, now: now)
        }
        func renewIdempotencyLease(agency: UUID, userID: UUID, key: String, claim: UUID, until: Date) async throws {
            try await inner.renewIdempotencyLease(agency: agency, userID: userID, key: key, claim: claim, until: until)
        }
        func appendAudit(_ record: AuditRecord, agency: UUID) async throws { try await inner.appendAudit(record, agency: agency) }
        func appendPlatformAudit(_ record: AuditRecord) async throws { try await inner.appendPlatformAudit(record) }
        func platformAuditEntries(_ filter: AuditFilter, after sequence: Int64?, limit: Int) async throws -> [AuditRecord] {
            try await inner.platformAuditEntries(filter, after: sequence, limit: limit)
        }
        func ping() async throws { try await inner.ping() }
    }

    @Test func listPagesReadTheReplicaAndSingleEntriesThePrimary() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in _ = try await CorpsFixture.make(harness, client) }
            let agency = try #require(try await harness.store.agency(code: GatewayHarness.agencyCode))
            try await DisclosurePublishingWork(store: harness.store).run(agency: agency, at: Moment(instant: harness.clock.now))
            try await DisclosureLogWork(store: harness.store, sealer: GatewayHarness.secrets.signingKeys).sequence(
                agency: agency, at: harness.clock.now)
            let entry = try #require(
                try await DisclosureWork(store: harness.store).publicEntries(agency: agency, DisclosureFilter(), after: nil, limit: 1).first)

            let replica = CountingStore(harness.store)
            try await harness.withPortal(replica: replica) { port in
                let base = "https://127.0.0.1:\(port)"
                let code = GatewayHarness.agencyCode
                let year = Moment(instant: harness.clock.now).day.year
                for path in [
                    "/", "/\(code)/disclosures", "/\(code)/power-list", "/\(code)/log", "/\(code)/log/checkpoint", "/\(code)/log/tile/0/000.p/1",
                ] {
                    replica.reset()
                    let status = try await PublicRedactionTests.status(base + path)
                    #expect(status == 200, "\(path) answers \(status)")
                    #expect(replica.count > 0, "\(path) reads the replica")
                }
                for path in [
                    "/\(code)/disclosures/\(entry.id.uuidString.lowercased())", "/\(code)/verify?number=\(code)-\(year)-00001",
                    "/\(code)/log/key", "/\(code)/log/keys",
                ] {
                    replica.reset()
                    let status = try await PublicRedactionTests.status(base + path)
                    #expect(status == 200, "\(path) answers \(status)")
                    #expect(replica.count == 0, "\(path) reads only the primary")
                }
            }
        }
    }
}
