import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
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
        let user = try await store.transaction(agency: agency.id, .write(for: nil)) { tx in
            try await tx.insertUser(
                NewUser(
                    username: "zhang", displayName: "张", passwordHash: try PasswordHash.make("Bench-Passw0rd-1", parameters: quickScrypt),
                    roles: [.officer]),
                grantedBy: nil, at: Date()
            ).id
        }
        return (pool, store, agency, user)
    }

    /// The claim token a key holds now.
    static func claim(_ owner: PostgresConnection, _ agency: UUID, _ key: String) async throws -> UUID {
        try await owner.transaction(TransactionOptions(agencyID: agency)) {
            try await $0.scalar("SELECT claim FROM idempotency_keys WHERE key = $1", [key])
        }
    }

    @Test func aClaimAnswersEachCaseAndExpiresAfterTheAgencysRetention() async throws {
        try await TestDatabase.with { db in
            let owner = try await db.ownerConnection()
            let (pool, store, agency, user) = try await Self.fixture(db, owner: owner)
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let print1 = Data(repeating: 1, count: 32)
            let print2 = Data(repeating: 2, count: 32)  // SHA-256 sized
            func claim(_ key: String, _ fingerprint: Data, at moment: Date) async throws -> IdempotencyClaim {
                try await store.claimIdempotencyKey(
                    agency: agency.id, userID: user, key: key, method: "M", fingerprint: fingerprint, claim: UUID(), now: moment)
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
            try await store.transaction(agency: agency.id, .write(for: nil)) {
                try await $0.finishIdempotencyKey(
                    userID: user, key: "k1", claim: try await Self.claim(owner, agency.id, "k1"), status: "OK", payload: Data([1, 2]))
            }
            #expect(try await claim("k1", print1, at: now) == .done(status: "OK", payload: Data([1, 2])))
            // Past its expiry the key is free again.
            #expect(try await claim("k1", print2, at: now.addingTimeInterval(24 * 3600)) == .claimed)

            // The agency's own retention.
            try await owner.transaction(TransactionOptions(agencyID: agency.id)) {
                try await $0.execute(
                    "INSERT INTO agency_settings (agency_id, key, value) VALUES ($1, 'idempotency.retention_hours', '48')", [agency.id])
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
            let tokens = Locked<[String: UUID]>([:])
            func claim(_ key: String) async throws -> IdempotencyClaim {
                let token = UUID()
                let answer = try await store.claimIdempotencyKey(
                    agency: agency.id, userID: user, key: key, method: "M", fingerprint: fingerprint, claim: token, now: now)
                if answer == .claimed { tokens.withLock { $0[key] = token } }
                return answer
            }
            @Sendable func token(_ key: String) -> UUID { tokens.withLock { $0[key] ?? UUID() } }
            func release(_ key: String) async throws {
                try await store.transaction(agency: agency.id, .write(for: nil)) {
                    try await $0.releaseIdempotencyKey(userID: user, key: key, claim: token(key))
                }
            }
            func call(_ key: String) -> CallAudit { Self.call(user: user, key: key, claim: token(key)) }
            @Sendable func newUser(_ name: String) throws -> NewUser {
                NewUser(
                    username: name, displayName: name, passwordHash: try PasswordHash.make("Bench-Passw0rd-1", parameters: Self.quickScrypt),
                    roles: [.officer])
            }

            // Committed, then the call failed: the key is kept.
            #expect(try await claim("committed") == .claimed)
            _ = try await store.transaction(agency: agency.id, .write(for: call("committed"))) {
                try await $0.insertUser(try newUser("wang"), grantedBy: nil, at: now)
            }
            try await release("committed")
            #expect(try await claim("committed") == .running)
            // Its outcome, once known, is kept as for any call.
            try await store.transaction(agency: agency.id, .write(for: nil)) {
                try await $0.finishIdempotencyKey(userID: user, key: "committed", claim: token("committed"), status: "OK", payload: Data([9]))
            }
            #expect(try await claim("committed") == .done(status: "OK", payload: Data([9])))

            // Rolled back: nothing committed, so the key is given back and a retry runs.
            #expect(try await claim("rolled-back") == .claimed)
            await #expect(throws: DomainError.self) {
                try await store.transaction(agency: agency.id, .write(for: call("rolled-back"))) { tx in
                    _ = try await tx.insertUser(try newUser("li"), grantedBy: nil, at: now)
                    _ = try await tx.insertUser(try newUser("li"), grantedBy: nil, at: now)  // the name is taken: the transaction fails
                }
            }
            try await release("rolled-back")
            #expect(try await claim("rolled-back") == .claimed)

            // Reading marks nothing; nor does a transaction outside the call.
            #expect(try await claim("read") == .claimed)
            _ = try await store.transaction(agency: agency.id, .read) { try await $0.settings() }
            _ = try await store.transaction(agency: agency.id, .write(for: nil)) {
                try await $0.insertUser(try newUser("zhao"), grantedBy: nil, at: now)
            }
            try await release("read")
            #expect(try await claim("read") == .claimed)
            owner.close()
            await pool.close()
        }
    }

    /// A claim is a lease: when its server dies before the call acts, a retry takes the
    /// key over once the lease runs out (not a day later); renewed, it holds; when the call
    /// acted but its outcome was lost, a retry is told so; and a call whose claim was taken
    /// over cannot act.
    @Test func aClaimWhoseLeaseRanOutIsTakenOverOrToldItsOutcomeWasLost() async throws {
        try await TestDatabase.with { db in
            let owner = try await db.ownerConnection()
            let (pool, store, agency, user) = try await Self.fixture(db, owner: owner)
            let start = Date()
            let lease = TimeInterval(IdempotencyClaim.lease.components.seconds)
            let fingerprint = Data(repeating: 3, count: 32)
            func claim(_ key: String, _ token: UUID, at moment: Date) async throws -> IdempotencyClaim {
                try await store.claimIdempotencyKey(
                    agency: agency.id, userID: user, key: key, method: "M", fingerprint: fingerprint, claim: token, now: moment)
            }
            @Sendable func newUser(_ name: String) throws -> NewUser {
                NewUser(
                    username: name, displayName: name, passwordHash: try PasswordHash.make("Bench-Passw0rd-1", parameters: Self.quickScrypt),
                    roles: [.officer])
            }

            // The server died after claiming: within the lease a retry waits; after it, it runs.
            let dead = UUID()
            let retry = UUID()
            #expect(try await claim("crash", dead, at: start) == .claimed)
            #expect(try await claim("crash", retry, at: start.addingTimeInterval(lease - 1)) == .running)
            #expect(try await claim("crash", retry, at: start.addingTimeInterval(lease + 1)) == .claimed)
            // The dead call, were it to wake, can no longer act on the key.
            await #expect(throws: DomainError.self) {
                try await store.transaction(agency: agency.id, .write(for: Self.call(user: user, key: "crash", claim: dead))) {
                    try await $0.insertUser(try newUser("ghost"), grantedBy: nil, at: start)
                }
            }
            let ghosts = try await owner.transaction(TransactionOptions(agencyID: agency.id)) {
                try await $0.scalar("SELECT count(*)::int FROM users WHERE username = 'ghost'", as: Int.self)
            }
            #expect(ghosts == 0, "nothing of it committed")

            // A live call renews its lease: a retry past the first lease still waits.
            let live = UUID()
            #expect(try await claim("live", live, at: start) == .claimed)
            try await store.renewIdempotencyLease(
                agency: agency.id, userID: user, key: "live", claim: live, until: start.addingTimeInterval(2 * lease))
            #expect(try await claim("live", UUID(), at: start.addingTimeInterval(lease + 1)) == .running)

            // Acted, then the server died before keeping the outcome: a definite answer.
            let acted = UUID()
            #expect(try await claim("acted", acted, at: start) == .claimed)
            _ = try await store.transaction(agency: agency.id, .write(for: Self.call(user: user, key: "acted", claim: acted))) {
                try await $0.insertUser(try newUser("sun"), grantedBy: nil, at: start)
            }
            #expect(try await claim("acted", UUID(), at: start.addingTimeInterval(1)) == .running)
            #expect(try await claim("acted", UUID(), at: start.addingTimeInterval(lease + 1)) == .outcomeLost)
            owner.close()
            await pool.close()
        }
    }

    /// A call that claimed `key` with `claim`, as the gateway hands it to use cases.
    static func call(user: UUID, key: String, claim: UUID) -> CallAudit {
        let call = CallAudit(method: "M", peer: "test", requestID: key, elapsedMicroseconds: { 0 })
        call.act(under: IdempotentAct(userID: user, key: key, claim: claim))
        return call
    }
}
