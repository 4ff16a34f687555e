import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Testing

/// Every call looks its agency up by code; the store remembers agencies it found for a
/// short while, and never remembers a code it did not find.
@Suite(.timeLimit(.minutes(2))) struct AgencyDirectoryTests {
    @Test func aDisabledAgencyIsRefusedOnceItsLookupExpires() async throws {
        try await TestDatabase.with { db in
            let owner = try await db.ownerConnection()
            let pool = ConnectionPool(configuration: db.application, options: .init(maximumConnections: 2))
            let store = PostgresTenantStore(pool: pool, agencyCacheLifetime: .milliseconds(300))
            let uncached = PostgresTenantStore(pool: pool, agencyCacheLifetime: .zero)

            // Unknown: not remembered, so an agency created afterwards is found at once.
            #expect(try await store.agency(code: "411202-MZ") == nil)
            try await owner.query("INSERT INTO agencies (code, name, division_code) VALUES ('411202-MZ', '湖滨区民政局', '411202')")
            // Measured before the lookup that fills the cache: its entry cannot expire
            // earlier than 300 ms after this, however slowly the machine runs the rest.
            let cachedFrom = ContinuousClock.now
            let found = try #require(try await store.agency(code: "411202-MZ"))
            #expect(found.name == "湖滨区民政局")

            // Disabled by an operator: refused at once without the cache, within the
            // lifetime with it.
            let disabledAt = ContinuousClock.now
            try await owner.query("UPDATE agencies SET disabled_at = now() WHERE code = '411202-MZ'")
            #expect(try await uncached.agency(code: "411202-MZ") == nil)
            var refused = false
            while !refused, ContinuousClock.now < disabledAt + .seconds(5) {
                refused = try await store.agency(code: "411202-MZ") == nil
                if !refused { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(refused, "a disabled agency was still found 5 s later")
            #expect(ContinuousClock.now - cachedFrom >= .milliseconds(300), "the lookup was not remembered at all")
            owner.close()
            await pool.close()
        }
    }
}
