import FazhiRules
import FazhiUseCases
import Foundation

/// The power list on PostgreSQL, inside one agency's transaction.
struct PostgresPowerListRecords: PowerListRecords {
    let connection: PostgresConnection
    let agencyID: UUID

    private static let itemColumns =
        "code, name, category, enforcement_category, legal_basis, unit, major, minimum_officers, published, disclosure_working_days"

    private func item(_ row: PostgresRow) throws -> PowerItem {
        guard let category = PowerItem.Category(rawValue: try row.decode(at: 2)), let major = PowerItem.Major(rawValue: try row.decode(at: 6)) else {
            throw PostgresError(code: .decoding, message: "a power list row holds an unknown category or major value")
        }
        return PowerItem(
            code: try row.decode(at: 0), name: try row.decode(at: 1), category: category, enforcementCategory: try row.decode(at: 3),
            legalBasis: try row.decode(at: 4), unit: try row.decode(at: 5), major: major, minimumOfficers: try row.decode(at: 7),
            published: try row.decode(at: 8), disclosureWorkingDays: try row.decode(at: 9))
    }

    private func values(_ item: PowerItem) -> [any PostgresEncodable] {
        [
            item.code, item.name, item.category.rawValue, item.enforcementCategory, item.legalBasis, item.unit, item.major.rawValue,
            item.minimumOfficers, item.published, item.disclosureWorkingDays,
        ]
    }

    func draft() async throws -> [PowerItem] {
        try await connection.query("SELECT \(Self.itemColumns) FROM power_list_draft WHERE agency_id = $1 ORDER BY code", [agencyID]).map(item)
    }

    func putDraftItem(_ item: PowerItem, by user: UUID, at now: Date) async throws {
        try await connection.execute(
            """
            INSERT INTO power_list_draft (agency_id, updated_by, updated_at, \(Self.itemColumns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (agency_id, code) DO UPDATE SET
                name = EXCLUDED.name, category = EXCLUDED.category, enforcement_category = EXCLUDED.enforcement_category,
                legal_basis = EXCLUDED.legal_basis, unit = EXCLUDED.unit, major = EXCLUDED.major, minimum_officers = EXCLUDED.minimum_officers,
                published = EXCLUDED.published, disclosure_working_days = EXCLUDED.disclosure_working_days,
                updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
            """, [agencyID, user, now] + values(item))
    }

    func removeDraftItem(code: String) async throws -> Bool {
        try await connection.execute("DELETE FROM power_list_draft WHERE agency_id = $1 AND code = $2", [agencyID, code]) == 1
    }

    func replaceDraft(_ items: [PowerItem], by user: UUID, at now: Date) async throws {
        try await connection.execute("DELETE FROM power_list_draft WHERE agency_id = $1", [agencyID])
        for item in items { try await putDraftItem(item, by: user, at: now) }
    }

    func version(_ number: Int?) async throws -> PowerListVersion? {
        let rows =
            if let number {
                try await connection.query(
                    "SELECT version, published_at, published_by, reason FROM power_list_versions WHERE agency_id = $1 AND version = $2",
                    [agencyID, number])
            } else {
                try await connection.query(
                    "SELECT version, published_at, published_by, reason FROM power_list_versions WHERE agency_id = $1 ORDER BY version DESC LIMIT 1",
                    [agencyID])
            }
        guard let row = rows.first else { return nil }
        var version = try header(row)
        version.items = try await connection.query(
            "SELECT \(Self.itemColumns) FROM power_list_items WHERE agency_id = $1 AND version = $2 ORDER BY code", [agencyID, version.version]
        ).map(item)
        return version
    }

    private func header(_ row: PostgresRow) throws -> PowerListVersion {
        PowerListVersion(
            version: try row.decode(at: 0), publishedAt: try row.decode(at: 1), publishedBy: try row.decode(at: 2),
            reason: try row.decode(at: 3), items: [])
    }

    func versions() async throws -> [PowerListVersion] {
        try await connection.query(
            "SELECT version, published_at, published_by, reason FROM power_list_versions WHERE agency_id = $1 ORDER BY version DESC", [agencyID]
        ).map(header)
    }

    func insertVersion(_ version: PowerListVersion) async throws {
        do {
            try await connection.execute(
                "INSERT INTO power_list_versions (agency_id, version, published_at, published_by, reason) VALUES ($1, $2, $3, $4, $5)",
                [agencyID, version.version, version.publishedAt, version.publishedBy, version.reason])
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw DomainError.conflict(.powerListVersionPublished(version.version))
        }
        for item in version.items {
            try await connection.execute(
                "INSERT INTO power_list_items (agency_id, version, \(Self.itemColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                [agencyID, version.version] + values(item))
        }
    }

    func queuePublication(_ changes: PowerListChanges, at now: Date) async throws {
        try await PostgresOutbox(connection: connection, agencyID: agencyID).queue(
            changes, topic: .powerList, subject: "v\(changes.version)", event: "publish", at: now)
    }

    func item(code: String, version: Int?) async throws -> (PowerItem, version: Int)? {
        let rows = try await connection.query(
            """
            SELECT \(Self.itemColumns), version FROM power_list_items
            WHERE agency_id = $1 AND code = $2 AND version = coalesce($3, (SELECT max(version) FROM power_list_versions WHERE agency_id = $1))
            """, [agencyID, code, version])
        guard let row = rows.first else { return nil }
        return (try item(row), try row.decode(at: 10))
    }
}
