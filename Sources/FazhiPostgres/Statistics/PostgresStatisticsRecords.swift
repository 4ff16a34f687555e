import FazhiDomain
import Foundation

/// The year's figures, computed where the rows are. The year runs from 1 January 00:00 to
/// the next 1 January in China Standard Time; a case's decision instant comes from its
/// stored state.
struct PostgresStatisticsRecords: StatisticsRecords {
    let connection: PostgresConnection
    let agencyID: UUID

    /// The year's bounds as parameters $2 (first instant) and $3 (first instant of the next).
    private static let bounds = "make_timestamptz($2, 1, 1, 0, 0, 0, 'Asia/Shanghai')"
    private static let nextBounds = "make_timestamptz($2 + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')"

    /// Every case with its item, opening day and decision instant.
    private static let casesWithItems = """
        SELECT c.kind, c.item_code, i.name AS item_name, i.category, c.fine, c.state,
               coalesce(c.opened_on, (c.created_at AT TIME ZONE 'Asia/Shanghai')::date) AS opened_on,
               to_timestamp((c.state->'decision'->>'decidedAt')::bigint / 1000000.0) AS decided_at
        FROM cases c JOIN power_list_items i ON i.agency_id = c.agency_id AND i.version = c.item_version AND i.code = c.item_code
        WHERE c.agency_id = $1
        """

    func annual(year: Int, into s: inout AnnualStatistics) async throws {
        let y = Int32(year)
        let corps = try await connection.query(
            """
            SELECT
              (SELECT count(*) FROM officers WHERE agency_id = $1 AND created_at < \(Self.nextBounds))::int,
              (SELECT count(*) FROM credentials c
                WHERE c.agency_id = $1 AND c.valid_from <= make_date($2, 12, 31) AND c.valid_until >= make_date($2, 12, 31)
                  AND (SELECT t.to_state FROM credential_transitions t
                        WHERE t.agency_id = $1 AND t.credential_id = c.id AND t.at < \(Self.nextBounds)
                        ORDER BY t.at DESC, t.id DESC LIMIT 1) = 'active')::int,
              count(*) FILTER (WHERE event = 'issue')::int,
              count(*) FILTER (WHERE event = 'renew')::int,
              count(*) FILTER (WHERE event = 'replace')::int,
              count(*) FILTER (WHERE to_state = 'suspended' AND from_state <> 'suspended')::int,
              count(*) FILTER (WHERE to_state = 'revoked' AND from_state <> 'revoked')::int,
              (SELECT count(*) FROM credential_reviews WHERE agency_id = $1 AND recorded_on >= make_date($2, 1, 1) AND recorded_on < make_date($2 + 1, 1, 1))::int
            FROM credential_transitions WHERE agency_id = $1 AND at >= \(Self.bounds) AND at < \(Self.nextBounds)
            """, [agencyID, y])[0]
        s.officersAtYearEnd = try corps.decode(at: 0)
        s.validCredentialsAtYearEnd = try corps.decode(at: 1)
        s.credentialsIssued = try corps.decode(at: 2)
        s.credentialsRenewed = try corps.decode(at: 3)
        s.credentialsReplaced = try corps.decode(at: 4)
        s.credentialsSuspended = try corps.decode(at: 5)
        s.credentialsRevoked = try corps.decode(at: 6)
        s.credentialsReviewed = try corps.decode(at: 7)

        let items = try await connection.query(
            """
            WITH c AS (\(Self.casesWithItems))
            SELECT item_code, item_name, category,
                   count(*) FILTER (WHERE opened_on >= make_date($2, 1, 1) AND opened_on < make_date($2 + 1, 1, 1))::int,
                   count(*) FILTER (WHERE decided_at >= \(Self.bounds) AND decided_at < \(Self.nextBounds))::int
            FROM c GROUP BY item_code, item_name, category
            HAVING count(*) FILTER (WHERE opened_on >= make_date($2, 1, 1) AND opened_on < make_date($2 + 1, 1, 1)) > 0
                OR count(*) FILTER (WHERE decided_at >= \(Self.bounds) AND decided_at < \(Self.nextBounds)) > 0
            ORDER BY item_code
            """, [agencyID, y])
        s.casesByItem = try items.map {
            AnnualStatistics.ItemFigures(itemCode: try $0.decode(at: 0), itemName: try $0.decode(at: 1), category: try $0.decode(at: 2),
                                         cases: try $0.decode(at: 3), decisions: try $0.decode(at: 4))
        }
        var categories: [String: AnnualStatistics.CategoryFigures] = [:]
        for item in s.casesByItem {
            categories[item.category, default: .init(category: item.category, cases: 0, decisions: 0)].cases += item.cases
            categories[item.category, default: .init(category: item.category, cases: 0, decisions: 0)].decisions += item.decisions
        }
        s.casesByPowerCategory = categories.values.sorted { $0.category < $1.category }
        s.casesOpened = s.casesByItem.reduce(0) { $0 + $1.cases }
        s.decisions = s.casesByItem.reduce(0) { $0 + $1.decisions }

        let acts = try await connection.query(
            """
            WITH c AS (\(Self.casesWithItems)),
            inspected AS (SELECT * FROM c WHERE kind = 'inspection' AND opened_on >= make_date($2, 1, 1) AND opened_on < make_date($2 + 1, 1, 1)),
            findings AS (SELECT (f->>'deadline')::date AS deadline, (f->>'verifiedOn')::date AS verified
                         FROM inspected, jsonb_array_elements(coalesce(inspected.state->'findings', '[]')) f)
            SELECT
              (SELECT count(*) FROM inspected)::int,
              (SELECT count(*) FROM findings)::int,
              (SELECT count(*) FROM findings WHERE verified <= deadline)::int,
              (SELECT count(*) FROM findings WHERE verified > deadline)::int,
              (SELECT count(*) FROM findings WHERE verified IS NULL)::int,
              (SELECT count(*) FROM c WHERE kind = 'penalty' AND decided_at >= \(Self.bounds) AND decided_at < \(Self.nextBounds))::int,
              (SELECT coalesce(sum(fine), 0) FROM c WHERE kind = 'penalty' AND decided_at >= \(Self.bounds) AND decided_at < \(Self.nextBounds)),
              (SELECT count(*) FROM case_record WHERE agency_id = $1 AND event = 'review:approve' AND at >= \(Self.bounds) AND at < \(Self.nextBounds))::int,
              (SELECT count(*) FROM case_record WHERE agency_id = $1 AND event = 'review:return' AND at >= \(Self.bounds) AND at < \(Self.nextBounds))::int,
              (SELECT count(*) FROM case_record WHERE agency_id = $1 AND event = 'review:reject' AND at >= \(Self.bounds) AND at < \(Self.nextBounds))::int,
              (SELECT count(*) FROM disclosure_entries WHERE agency_id = $1 AND action = 'publish' AND late IS NOT TRUE
                 AND published_at >= \(Self.bounds) AND published_at < \(Self.nextBounds))::int,
              (SELECT count(*) FROM disclosure_entries WHERE agency_id = $1 AND action = 'publish' AND late
                 AND published_at >= \(Self.bounds) AND published_at < \(Self.nextBounds))::int,
              (SELECT count(*) FROM disclosure_entries WHERE agency_id = $1 AND action = 'withdraw'
                 AND published_at >= \(Self.bounds) AND published_at < \(Self.nextBounds))::int
            """, [agencyID, y])[0]
        s.inspections = try acts.decode(at: 0)
        s.findings = try acts.decode(at: 1)
        s.rectifiedOnTime = try acts.decode(at: 2)
        s.rectifiedLate = try acts.decode(at: 3)
        s.rectificationOpen = try acts.decode(at: 4)
        s.penaltyDecisions = try acts.decode(at: 5)
        s.totalFines = try acts.decode(at: 6)
        s.legalReviewsApproved = try acts.decode(at: 7)
        s.legalReviewsReturned = try acts.decode(at: 8)
        s.legalReviewsRejected = try acts.decode(at: 9)
        s.disclosuresOnTime = try acts.decode(at: 10)
        s.disclosuresLate = try acts.decode(at: 11)
        s.withdrawals = try acts.decode(at: 12)

        let months = try await connection.query(
            """
            WITH c AS (\(Self.casesWithItems))
            SELECT m,
              (SELECT count(*) FROM c WHERE opened_on >= make_date($2, m, 1) AND opened_on < make_date($2, m, 1) + interval '1 month')::int,
              (SELECT count(*) FROM c WHERE decided_at >= make_timestamptz($2, m, 1, 0, 0, 0, 'Asia/Shanghai')
                                        AND decided_at < make_timestamptz($2, m, 1, 0, 0, 0, 'Asia/Shanghai') + interval '1 month')::int,
              (SELECT count(*) FROM c WHERE kind = 'inspection' AND opened_on >= make_date($2, m, 1) AND opened_on < make_date($2, m, 1) + interval '1 month')::int,
              (SELECT count(*) FROM disclosure_entries WHERE agency_id = $1 AND action = 'publish'
                 AND published_at >= make_timestamptz($2, m, 1, 0, 0, 0, 'Asia/Shanghai')
                 AND published_at < make_timestamptz($2, m, 1, 0, 0, 0, 'Asia/Shanghai') + interval '1 month')::int
            FROM generate_series(1, 12) m ORDER BY m
            """, [agencyID, y])
        s.months = try months.map {
            AnnualStatistics.MonthFigures(month: Int(try $0.decode(Int32.self, at: 0)), casesOpened: try $0.decode(at: 1), decisions: try $0.decode(at: 2),
                                          inspections: try $0.decode(at: 3), disclosures: try $0.decode(at: 4))
        }
    }

    /// Cases opened or decided in the year, with their item and party. The conditions sit
    /// on `cases` itself, so a page walks the primary key in order instead of sorting the
    /// year.
    private static let yearCases = """
        SELECT c.id, c.item_code, i.name, i.category, p.name AS party, p.kind AS party_type, c.area, c.status, c.decision_number, c.fine,
               coalesce(c.opened_on, (c.created_at AT TIME ZONE 'Asia/Shanghai')::date) AS opened_on,
               (to_timestamp((c.state->'decision'->>'decidedAt')::bigint / 1000000.0) AT TIME ZONE 'Asia/Shanghai')::date AS decided_on
        FROM cases c
        JOIN power_list_items i ON i.agency_id = c.agency_id AND i.version = c.item_version AND i.code = c.item_code
        JOIN parties p ON p.agency_id = c.agency_id AND p.id = c.party_id
        WHERE c.agency_id = $1
          AND ((coalesce(c.opened_on, (c.created_at AT TIME ZONE 'Asia/Shanghai')::date) >= make_date($2, 1, 1)
                AND coalesce(c.opened_on, (c.created_at AT TIME ZONE 'Asia/Shanghai')::date) < make_date($2 + 1, 1, 1))
               OR (to_timestamp((c.state->'decision'->>'decidedAt')::bigint / 1000000.0) >= \(bounds)
                   AND to_timestamp((c.state->'decision'->>'decidedAt')::bigint / 1000000.0) < \(nextBounds)))
        """

    func caseRowCount(year: Int) async throws -> Int {
        try await connection.query("SELECT count(*)::int FROM (\(Self.yearCases)) c", [agencyID, Int32(year)])[0].decode(at: 0)
    }

    func caseRows(year: Int, after: UUID?, limit: Int) async throws -> [CaseExportRow] {
        try await connection.query(
            // Always a bound (the nil UUID sorts first), so the primary key serves the range.
            "\(Self.yearCases) AND c.id > $3 ORDER BY c.id LIMIT $4",
            [agencyID, Int32(year), after ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), limit]
        ).map { row in
            CaseExportRow(caseID: try row.decode(at: 0), itemCode: try row.decode(at: 1), itemName: try row.decode(at: 2), category: try row.decode(at: 3),
                          party: try row.decode(at: 4), partyType: try row.decode(at: 5), area: try row.decode(at: 6), openedOn: try row.decode(at: 10),
                          status: try row.decode(at: 7), decisionNumber: try row.decode(at: 8), decidedOn: try row.decode(at: 11), fine: try row.decode(at: 9))
        }
    }
}
