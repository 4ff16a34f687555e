import Crypto
import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Testing

/// Authentication's one read: the session, its user, the user's officer and the settings.
@Suite(.timeLimit(.minutes(2))) struct LiveSessionTests {
    @Test func aSessionComesWithItsUserOfficerAndSettings() async throws {
        try await TestDatabase.with { db in
            let owner = try await db.ownerConnection()
            try await owner.query("INSERT INTO agencies (code, name, division_code) VALUES ('411202-MZ', '湖滨区民政局', '411202')")
            owner.close()
            let pool = ConnectionPool(configuration: db.application, options: .init(maximumConnections: 2))
            let store = PostgresTenantStore(pool: pool)
            let agency = try #require(try await store.agency(code: "411202-MZ"))
            let now = Date()
            let hash = try PasswordHash.make("Bench-Passw0rd-1", parameters: ScryptParameters(logN: 10, blockSize: 8, parallelism: 1))
            let officerToken = Data(repeating: 7, count: 32)
            let clerkToken = Data(repeating: 8, count: 32)
            let (officerUser, officer) = try await store.transaction(agency: agency.id, .write(for: nil)) { tx in
                let user = try await tx.insertUser(
                    NewUser(username: "li", displayName: "李", passwordHash: hash, roles: [.officer]), grantedBy: nil, at: now)
                let clerk = try await tx.insertUser(
                    NewUser(username: "wang", displayName: "王", passwordHash: hash, roles: [.auditor]), grantedBy: nil, at: now)
                let officer = try await tx.credentials.insertOfficer(
                    NewOfficer(
                        name: "李", unit: "社会组织管理科", position: "科员", userID: user.id,
                        idNumber: try CredentialStoreTests.idNumber(1), keys: CredentialStoreTests.keys), at: now)
                _ = try await tx.insertSession(userID: user.id, tokenHash: officerToken, createdAt: now, expiresAt: now + 3600, peer: "test")
                _ = try await tx.insertSession(userID: clerk.id, tokenHash: clerkToken, createdAt: now, expiresAt: now + 3600, peer: "test")
                return (user.id, officer)
            }
            let live = try #require(try await store.liveSession(agency: agency.id, tokenHash: officerToken))
            #expect(live.user?.id == officerUser)
            #expect(live.user?.roles == [.officer])
            #expect(live.officerID == officer)
            #expect(try live.settings.integer("idempotency.retention_hours") == 24)
            let clerk = try #require(try await store.liveSession(agency: agency.id, tokenHash: clerkToken))
            #expect(clerk.user?.username == "wang")
            #expect(clerk.officerID == nil)
            #expect(try await store.liveSession(agency: agency.id, tokenHash: Data(repeating: 9, count: 32)) == nil)
            await pool.close()
        }
    }
}
