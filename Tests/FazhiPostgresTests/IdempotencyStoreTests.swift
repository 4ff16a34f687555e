import FazhiDomain
import FazhiPostgres
import FazhiTestSupport
import Foundation
import Testing

/// The idempotency claim, one round trip: each of its answers, and the expiry taken from
/// the agency's `idempotency.retention_hours`.
@Suite(.timeLimit(.minutes(2))) struct IdempotencyStoreTests {
    @Test func aClaimAnswersEachCaseAndExpiresAfterTheAgencysRetention() async throws {
        try await TestDatabase.with { db in
            let owner = try await db.ownerConnection()
            try await owner.query("INSERT INTO agencies (code, name, division_code) VALUES ('411202-MZ', '湖滨区民政局', '411202')")
            let pool = ConnectionPool(configuration: db.application, options: .init(maximumConnections: 2))
            let store = PostgresTenantStore(pool: pool)
            let agency = try #require(try await store.agency(code: "411202-MZ"))
            let user = try await store.transaction(agency: agency.id, readOnly: false) { tx in
                try await tx.insertUser(NewUser(username: "zhang", displayName: "张", passwordHash: try PasswordHash.make("Bench-Passw0rd-1", parameters: ScryptParameters(logN: 10, blockSize: 8, parallelism: 1)), roles: [.officer]),
                                        grantedBy: nil, at: Date()).id
            }
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let print1 = Data(repeating: 1, count: 32), print2 = Data(repeating: 2, count: 32)  // SHA-256 sized
            func claim(_ key: String, _ fingerprint: Data, at moment: Date) async throws -> IdempotencyClaim {
                try await store.claimIdempotencyKey(agency: agency.id, userID: user, key: key, method: "M", fingerprint: fingerprint, now: moment)
            }
            func expiry(_ key: String) async throws -> Date {
                try await owner.transaction(TransactionOptions(agencyID: agency.id)) {
                    try await $0.scalar("SELECT expires_at FROM idempotency_keys WHERE key = $1", [key])
                }
            }

            #expect(try await claim("k1", print1, at: now) == .claimed)
            #expect(try await expiry("k1") == now.addingTimeInterval(24 * 3600))  // the platform default
            #expect(try await claim("k1", print1, at: now) == .running)
            #expect(try await claim("k1", print2, at: now) == .mismatch)
            try await store.transaction(agency: agency.id, readOnly: false) {
                try await $0.finishIdempotencyKey(userID: user, key: "k1", status: "OK", payload: Data([1, 2]))
            }
            #expect(try await claim("k1", print1, at: now) == .done(status: "OK", payload: Data([1, 2])))
            // Past its expiry the key is free again.
            #expect(try await claim("k1", print2, at: now.addingTimeInterval(24 * 3600)) == .claimed)

            // The agency's own retention.
            try await owner.transaction(TransactionOptions(agencyID: agency.id)) {
                try await $0.execute("INSERT INTO agency_settings (agency_id, key, value) VALUES ($1, 'idempotency.retention_hours', '48')", [agency.id])
            }
            #expect(try await claim("k2", print1, at: now) == .claimed)
            #expect(try await expiry("k2") == now.addingTimeInterval(48 * 3600))
            owner.close()
            await pool.close()
        }
    }
}
