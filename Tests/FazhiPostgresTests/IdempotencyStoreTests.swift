import FazhiDomain
import FazhiPostgres
import FazhiTestSupport
import Foundation
import Testing

/// The idempotency claim, one round trip: each of its answers, and the expiry taken from
/// the agency's `idempotency.retention_hours`.
@Suite(.timeLimit(.minutes(2))) struct IdempotencyStoreTests {
    static let quickScrypt = ScryptParameters(logN: 10, blockSize: 8, parallelism: 1)

    /// The agency 411202-MZ with one user; returns the store, the agency and the user's id.
    static func fixture(_ db: TestDatabase, owner: PostgresConnection) async throws -> (ConnectionPool, PostgresTenantStore, Agency, UUID) {
        try await owner.query("INSERT INTO agencies (code, name, division_code) VALUES ('411202-MZ', '湖滨区民政局', '411202')")
        let pool = ConnectionPool(configuration: db.application, options: .init(maximumConnections: 2))
        let store = PostgresTenantStore(pool: pool)
        let agency = try #require(try await store.agency(code: "411202-MZ"))
        let user = try await store.transaction(agency: agency.id, readOnly: false) { tx in
            try await tx.insertUser(NewUser(username: "zhang", displayName: "张", passwordHash: try PasswordHash.make("Bench-Passw0rd-1", parameters: quickScrypt), roles: [.officer]),
                                    grantedBy: nil, at: Date()).id
        }
        return (pool, store, agency, user)
    }

    @Test func aClaimAnswersEachCaseAndExpiresAfterTheAgencysRetention() async throws {
        try await TestDatabase.with { db in
            let owner = try await db.ownerConnection()
            let (pool, store, agency, user) = try await Self.fixture(db, owner: owner)
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

    /// A call's key is marked acted by the transaction that acts, so after a failure it is
    /// given back only when nothing of the call committed: a retry never acts twice, even
    /// when the failure hid whether COMMIT happened.
    @Test func aKeyIsGivenBackOnlyWhenNothingOfItsCallCommitted() async throws {
        try await TestDatabase.with { db in
            let owner = try await db.ownerConnection()
            let (pool, store, agency, user) = try await Self.fixture(db, owner: owner)
            let now = Date()
            let fingerprint = Data(repeating: 7, count: 32)
            func claim(_ key: String) async throws -> IdempotencyClaim {
                try await store.claimIdempotencyKey(agency: agency.id, userID: user, key: key, method: "M", fingerprint: fingerprint, now: now)
            }
            func release(_ key: String) async throws {
                try await store.transaction(agency: agency.id, readOnly: false) { try await $0.releaseIdempotencyKey(userID: user, key: key) }
            }
            func asCall<T: Sendable>(_ key: String, _ body: () async throws -> T) async throws -> T {
                try await IdempotentAct.$current.withValue(IdempotentAct(userID: user, key: key)) { try await body() }
            }
            @Sendable func newUser(_ name: String) throws -> NewUser {
                NewUser(username: name, displayName: name, passwordHash: try PasswordHash.make("Bench-Passw0rd-1", parameters: Self.quickScrypt), roles: [.officer])
            }

            // Committed, then the call failed: the key is kept.
            #expect(try await claim("committed") == .claimed)
            _ = try await asCall("committed") {
                try await store.transaction(agency: agency.id, readOnly: false) { try await $0.insertUser(try newUser("wang"), grantedBy: nil, at: now) }
            }
            try await release("committed")
            #expect(try await claim("committed") == .running)
            // Its outcome, once known, is kept as for any call.
            try await store.transaction(agency: agency.id, readOnly: false) {
                try await $0.finishIdempotencyKey(userID: user, key: "committed", status: "OK", payload: Data([9]))
            }
            #expect(try await claim("committed") == .done(status: "OK", payload: Data([9])))

            // Rolled back: nothing committed, so the key is given back and a retry runs.
            #expect(try await claim("rolled-back") == .claimed)
            await #expect(throws: DomainError.self) {
                try await asCall("rolled-back") {
                    try await store.transaction(agency: agency.id, readOnly: false) { tx in
                        _ = try await tx.insertUser(try newUser("li"), grantedBy: nil, at: now)
                        _ = try await tx.insertUser(try newUser("li"), grantedBy: nil, at: now)  // the name is taken: the transaction fails
                    }
                }
            }
            try await release("rolled-back")
            #expect(try await claim("rolled-back") == .claimed)

            // Reading marks nothing; nor does a transaction outside the call.
            #expect(try await claim("read") == .claimed)
            _ = try await asCall("read") { try await store.transaction(agency: agency.id, readOnly: true) { try await $0.settings() } }
            _ = try await store.transaction(agency: agency.id, readOnly: false) { try await $0.insertUser(try newUser("zhao"), grantedBy: nil, at: now) }
            try await release("read")
            #expect(try await claim("read") == .claimed)
            owner.close()
            await pool.close()
        }
    }
}
