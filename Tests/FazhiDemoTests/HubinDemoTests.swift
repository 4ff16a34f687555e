import FazhiDemo
import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Testing

/// The demo loaded into a real PostgreSQL: each 2023 figure equals a count made by hand
/// from the rows it left, and the year looks as the plan says.
@Suite(.timeLimit(.minutes(5))) struct HubinDemoTests {
    static let scrypt = ScryptParameters(logN: 10, blockSize: 8, parallelism: 1)
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// An agency that reviews entries before release: the compliance officer releases the
    /// day's drafts, so the year still publishes on time and the withdrawal finds its entry.
    @Test func anAgencyThatReviewsDisclosuresFirstGetsTheSameYear() async throws {
        try await TestDatabase.with { database in
            let pool = ConnectionPool(configuration: database.application, options: .init(maximumConnections: 2))
            let (store, agency) = try await Self.agency(pool)
            let owner = try await database.ownerConnection()
            try await owner.transaction(TransactionOptions(agencyID: agency.id)) {
                try await $0.execute(
                    "INSERT INTO agency_settings (agency_id, key, value) VALUES ($1, 'disclosure.review_before_release', 'true')", [agency.id])
            }
            let calendar = try await store.transaction(agency: agency.id, .read) { try await $0.workingDayCalendar() }
            let demo = HubinDemo(store: store, secrets: try ServerSecrets(secretBase64: ServerSecrets.generate()), scrypt: Self.scrypt)
            _ = try await demo.load(
                agency: agency, adminUsername: "admin", plan: DemoPlan(volume: .sample, calendar: calendar, end: Date()),
                powerList: try Self.powerList(), password: "Fz-demo-pass-1")
            let compliance = Caller(
                agency: agency, userID: UUID(), username: "hegui.feng", displayName: "冯静", roles: [.complianceOfficer], proof: .session,
                sessionID: nil)
            let s = try await StatisticsWork(store: store).annual(compliance, year: 2023)
            #expect(s.withdrawals == 1 && s.disclosuresLate == 0 && s.disclosuresOnTime > 40)
            let drafts: Int = try await owner.transaction(TransactionOptions(agencyID: agency.id)) {
                try await $0.query("SELECT count(*)::int FROM disclosure_entries WHERE state = 'draft'")[0].decode(at: 0)
            }
            #expect(drafts == 0)
            owner.close()
            await pool.close()
        }
    }

    static func agency(_ pool: ConnectionPool) async throws -> (PostgresTenantStore, Agency) {
        let store = PostgresTenantStore(pool: pool)
        let agency = try await store.createAgency(
            code: "411202-MZ", name: "湖滨区民政局", divisionCode: "411202",
            admin: NewUser(
                username: "admin", displayName: "管理员", passwordHash: try PasswordHash.make("Fz-admin-pass-1", parameters: scrypt), roles: [.admin]),
            audit: nil, at: Date())
        return (store, agency)
    }

    static func powerList() throws -> [PowerItem] {
        try PowerListCSV.parse(try String(contentsOf: repository.appendingPathComponent("data/power-list-hubin.csv"), encoding: .utf8))
    }

    @Test func theYearsFiguresEqualCountsMadeFromTheRows() async throws {
        try await TestDatabase.with { database in
            let pool = ConnectionPool(configuration: database.application, options: .init(maximumConnections: 2))
            let (store, agency) = try await Self.agency(pool)
            let items = try Self.powerList()
            let calendar = try await store.transaction(agency: agency.id, .read) { try await $0.workingDayCalendar() }
            let plan = DemoPlan(volume: .sample, calendar: calendar, end: Date())
            let demo = HubinDemo(store: store, secrets: try ServerSecrets(secretBase64: ServerSecrets.generate()), scrypt: Self.scrypt)
            let summary = try await demo.load(agency: agency, adminUsername: "admin", plan: plan, powerList: items, password: "Fz-demo-pass-1")
            #expect(summary.cases > 300 && summary.officers == 19)
            // Loaded once: a second load is refused, and nothing changes.
            await #expect(throws: DomainError.self) {
                _ = try await demo.load(agency: agency, adminUsername: "admin", plan: plan, powerList: items, password: "Fz-demo-pass-1")
            }

            let compliance = Caller(
                agency: agency, userID: UUID(), username: "hegui.feng", displayName: "冯静", roles: [.complianceOfficer],
                proof: .session, sessionID: nil)
            let s = try await StatisticsWork(store: store).annual(compliance, year: 2023)

            // Counts by hand: plain SQL over the tables, not the statistics' query.
            let owner = try await database.ownerConnection()
            func count(_ sql: String) async throws -> Int {
                try await owner.transaction(TransactionOptions(agencyID: agency.id)) { try await $0.query(sql)[0].decode(Int.self, at: 0) }
            }
            func text(_ sql: String) async throws -> String {
                try await owner.transaction(TransactionOptions(agencyID: agency.id)) { try await $0.query(sql)[0].decode(String.self, at: 0) }
            }
            let year = "at >= '2023-01-01T00:00:00+08:00' AND at < '2024-01-01T00:00:00+08:00'"
            #expect(s.officersAtYearEnd == (try await count("SELECT count(*)::int FROM officers WHERE created_at < '2024-01-01T00:00:00+08:00'")))
            #expect(
                s.validCredentialsAtYearEnd
                    == (try await count(
                        """
                        SELECT count(*)::int FROM credentials c WHERE valid_from <= '2023-12-31' AND valid_until >= '2023-12-31'
                          AND (SELECT to_state FROM credential_transitions t WHERE t.credential_id = c.id AND t.at < '2024-01-01T00:00:00+08:00'
                               ORDER BY t.at DESC, t.id DESC LIMIT 1) = 'active'
                        """)))
            for (figure, event) in [(s.credentialsIssued, "issue"), (s.credentialsRenewed, "renew"), (s.credentialsReplaced, "replace")] {
                #expect(
                    figure == (try await count("SELECT count(*)::int FROM credential_transitions WHERE event = '\(event)' AND \(year)")), "\(event)")
            }
            for (figure, state) in [(s.credentialsSuspended, "suspended"), (s.credentialsRevoked, "revoked")] {
                #expect(
                    figure
                        == (try await count(
                            "SELECT count(*)::int FROM credential_transitions WHERE to_state = '\(state)' AND from_state <> to_state AND \(year)")))
            }
            // A replacement card carries its reviews over: one review per officer and year reviewed.
            #expect(
                s.credentialsReviewed
                    == (try await count(
                        """
                        SELECT count(DISTINCT (c.officer_id, r.year))::int FROM credential_reviews r JOIN credentials c ON c.id = r.credential_id
                        WHERE r.recorded_on BETWEEN '2023-01-01' AND '2023-12-31'
                        """)))
            // Cases: opened and decided as the full-process record tells it.
            #expect(s.casesOpened == (try await count("SELECT count(*)::int FROM case_record WHERE step = 'open' AND event = 'take' AND \(year)")))
            #expect(s.decisions == (try await count("SELECT count(*)::int FROM case_record WHERE step = 'decide' AND \(year)")))
            for item in s.casesByItem {
                #expect(
                    item.cases
                        == (try await count(
                            """
                            SELECT count(*)::int FROM case_record r JOIN cases c ON c.id = r.case_id
                            WHERE c.item_code = '\(item.itemCode)' AND r.step = 'open' AND r.event = 'take' AND r.\(year)
                            """)),
                    "\(item.itemCode)")
            }
            #expect(
                s.inspections
                    == (try await count(
                        "SELECT count(*)::int FROM cases WHERE kind = 'inspection' AND opened_on BETWEEN '2023-01-01' AND '2023-12-31'")))
            let findings =
                "FROM cases c, jsonb_array_elements(c.state->'findings') f WHERE c.kind = 'inspection' AND c.opened_on BETWEEN '2023-01-01' AND '2023-12-31'"
            #expect(s.findings == (try await count("SELECT count(*)::int \(findings)")))
            #expect(s.rectifiedLate == (try await count("SELECT count(*)::int \(findings) AND f->>'verifiedOn' > f->>'deadline'")))
            #expect(s.rectifiedOnTime == (try await count("SELECT count(*)::int \(findings) AND f->>'verifiedOn' <= f->>'deadline'")))
            #expect(
                s.penaltyDecisions
                    == (try await count(
                        """
                        SELECT count(*)::int FROM case_record r JOIN cases c ON c.id = r.case_id WHERE c.kind = 'penalty' AND r.step = 'decide' AND r.\(year)
                        """)))
            #expect(
                s.totalFines
                    == Decimal(string: try await text("SELECT coalesce(sum(fine), 0)::text FROM cases WHERE kind = 'penalty' AND state ? 'decision'"))
            )
            for (figure, outcome) in [(s.legalReviewsApproved, "approve"), (s.legalReviewsReturned, "return"), (s.legalReviewsRejected, "reject")] {
                #expect(figure == (try await count("SELECT count(*)::int FROM case_record WHERE event = 'review:\(outcome)' AND \(year)")))
            }
            let published = "FROM disclosure_entries WHERE published_at >= '2023-01-01T00:00:00+08:00' AND published_at < '2024-01-01T00:00:00+08:00'"
            #expect(
                s.disclosuresOnTime == (try await count("SELECT count(*)::int \(published) AND action = 'publish' AND (late IS NULL OR NOT late)")))
            #expect(s.disclosuresLate == (try await count("SELECT count(*)::int \(published) AND action = 'publish' AND late")))
            #expect(s.withdrawals == (try await count("SELECT count(*)::int \(published) AND action = 'withdraw'")))
            #expect(s.months.map(\.casesOpened).reduce(0, +) == s.casesOpened && s.months.map(\.decisions).reduce(0, +) == s.decisions)

            // What the plan says the year holds.
            #expect(s.officersAtYearEnd == 19 && s.validCredentialsAtYearEnd == 18)
            #expect(s.credentialsIssued == 2 && s.credentialsRenewed == 4 && s.credentialsReplaced == 1 && s.credentialsReviewed == 17)
            #expect(s.credentialsSuspended == 1 && s.credentialsRevoked == 1)
            let inspected = try await count(
                """
                SELECT count(DISTINCT c.party_id)::int FROM cases c JOIN parties p ON p.id = c.party_id
                WHERE c.item_code = 'MZ-JC-001' AND p.institution_type = 'elderly_care' AND c.status = 'closed'
                """)
            #expect(inspected == 12, "each of the 12 elderly care institutions inspected, every inspection closed")
            #expect(s.findings > 0 && s.rectificationOpen == 0 && s.rectifiedLate == 1, "every order closed, one of them late")
            #expect(s.penaltyDecisions == 7 && s.legalReviewsApproved == 3 && s.legalReviewsReturned == 1 && s.legalReviewsRejected == 0)
            #expect(s.withdrawals == 1 && s.disclosuresLate == 0 && s.disclosuresOnTime > 40)
            #expect(s.casesByPowerCategory.count == 5, "licensing, penalties, inspections, grants and confirmation")
            #expect(try await count("SELECT count(*)::int FROM cases WHERE status = 'open'") == 0, "the December cases were decided in January")
            // January 2024: the year's figures published, on time.
            #expect(try await count("SELECT count(*)::int FROM disclosure_entries WHERE kind = 'annual_statistics' AND NOT late") == 1)

            // The corps' reviews and renewals run up to today: today's sweep finds nothing to
            // suspend or expire, and every officer but the one moved out may act.
            let sweep = try await CredentialWork(store: store).sweep(agency: agency, at: Moment(instant: Date()))
            #expect(sweep.suspended.isEmpty && sweep.expired.isEmpty, "\(sweep)")
            #expect(try await count("SELECT count(*)::int FROM credentials WHERE state = 'active' AND valid_until >= current_date") == 18)

            // No natural person in the case rows of the export.
            let rows = try await StatisticsWork(store: store).caseRows(compliance, year: 2023, after: nil, limit: 10_000)
            let persons = Set(plan.parties.filter { $0.kind == .person }.map(\.name))
            #expect(rows.count == s.casesOpened, "every case of the demo was opened in 2023")
            #expect(rows.contains { $0.partyType == "person" } && !rows.contains { persons.contains($0.party) })
            owner.close()
            await pool.close()
        }
    }
}
