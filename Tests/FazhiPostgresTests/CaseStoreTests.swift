import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct CaseStoreTests {
    @Test func concurrentDecisionsGetDistinctNumbersFromThePattern() async throws {
        try await TestDatabase.with { db in
            let fixture = try await CredentialStoreTests.fixture(db)
            let numbers = Locked<[String]>([])
            // Penalties and other acts interleaved: each series counts on its own.
            let errors = await runConcurrently(
                (0..<20).map { index in
                    { @Sendable in
                        let key = index % 2 == 0 ? "case.decision_number_pattern" : "case.act_decision_number_pattern"
                        let number = try await fixture.store.transaction(agency: fixture.agency.id, .write(for: nil)) { tx in
                            try await tx.cases.nextDecisionNumber(pattern: try await tx.settings().text(key), year: 2026)
                        }
                        numbers.withLock { $0.append(number) }
                    }
                })
            #expect(errors.isEmpty, "\(errors)")
            #expect(
                Set(numbers.current)
                    == Set((1...10).map { String(format: "民罚决字〔2026〕第%03d号", $0) })
                    .union((1...10).map { String(format: "民决字〔2026〕第%03d号", $0) }))
            await fixture.pool.close()
        }
    }

    @Test func aCaseRoundTripsWithAnExactFine() async throws {
        try await TestDatabase.with { db in
            let fixture = try await CredentialStoreTests.fixture(db)
            let items = try PowerListCSV.parse(
                try String(
                    contentsOf: TestCluster.sqlDirectory.deletingLastPathComponent().appendingPathComponent("data/power-list-hubin.csv"),
                    encoding: .utf8))
            let admin = UUID()
            _ = try await PowerListWork(store: fixture.store).publishInitial(
                items, agency: fixture.agency, by: admin, username: "admin", reason: "发布", now: Date())
            let keys = CredentialStoreTests.keys
            let stored = try await fixture.store.transaction(agency: fixture.agency.id, .write(for: nil)) { tx in
                let party = try await tx.parties.insert(
                    try NewParty(
                        kind: .organization, name: "协会", creditCode: "91350100M000100Y43", institutionType: nil,
                        capacity: nil, idNumber: nil, area: try DivisionCode("411202"), keys: keys), by: admin, at: Date())
                let (item, version) = try #require(try await tx.powerList.item(code: "MZ-XK-001", version: nil))
                var kase = EnforcementCase(id: UUID(), item: item, itemVersion: version, partyID: party.id, area: try DivisionCode("411202"))
                let now = Moment(instant: Date())
                let officer = UUID()
                for event: EnforcementCase.Event in [
                    .take(.open, officers: [officer], initiator: officer), .take(.investigate, officers: [officer], initiator: officer),
                    .approve(approver: admin), .decide(documentNumber: "N-1", outcome: "准予登记", legalBasis: "条例", fine: Decimal(string: "12345.67")),
                ] {
                    kase = try kase.applying(event, at: now, authority: { _ in .allowed(credentialNumber: "C-1") }, fineThreshold: 10_000)
                }
                try await tx.cases.insert(kase, at: Date())
                return kase
            }
            let loaded = try await fixture.store.transaction(agency: fixture.agency.id, .read) {
                try await $0.cases.kase(id: stored.id, locking: false)
            }
            let kase = try #require(loaded?.0)
            #expect(kase.decision?.fine == Decimal(string: "12345.67"), "exact, not through a binary float")
            #expect(kase.history.map(\.step) == stored.history.map(\.step) && kase.item == stored.item && kase.approvedBy == stored.approvedBy)
            // Instants keep their microseconds, like timestamptz.
            for (a, b) in zip(kase.history, stored.history) { #expect(abs(a.takenAt.timeIntervalSince(b.takenAt)) < 0.000_001) }
            await fixture.pool.close()
        }
    }
}
