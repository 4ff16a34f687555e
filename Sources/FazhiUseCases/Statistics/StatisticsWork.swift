import FazhiRules
import Foundation

/// Compliance officers and auditors read the year's figures.
public struct StatisticsWork: Sendable {
    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    public func annual(_ caller: Caller, year: Int) async throws -> AnnualStatistics {
        try Self.checkYear(year)
        return try await store.transaction(agency: caller.agency.id, .read) { tx in
            var statistics = AnnualStatistics(agencyCode: caller.agency.code, agencyName: caller.agency.name, year: year)
            try await tx.statistics.annual(year: year, into: &statistics)
            return statistics
        }
    }

    /// The case rows of `year`, page by page, each page its own short transaction, so an
    /// export of any size holds one page in memory.
    public func caseRows(_ caller: Caller, year: Int, after: UUID?, limit: Int) async throws -> [CaseExportRow] {
        try Self.checkYear(year)
        return try await store.transaction(agency: caller.agency.id, .read) { tx in
            try await tx.statistics.caseRows(year: year, after: after, limit: limit)
        }
    }

    /// The case rows of `year` as RFC 4180 CSV records (CRLF), streamed from one read-only
    /// transaction as the store produces them; `consume` gets each chunk with the number of
    /// records written so far.
    public func caseRowsCSV(_ caller: Caller, year: Int, into consume: @escaping @Sendable (Data, Int) async throws -> Void) async throws {
        try Self.checkYear(year)
        try await store.transaction(agency: caller.agency.id, .read) { tx in try await tx.statistics.caseRowsCSV(year: year, into: consume) }
    }

    public func caseRowCount(_ caller: Caller, year: Int) async throws -> Int {
        try Self.checkYear(year)
        return try await store.transaction(agency: caller.agency.id, .read) { tx in try await tx.statistics.caseRowCount(year: year) }
    }

    static func checkYear(_ year: Int) throws {
        guard (2000...2100).contains(year) else {
            throw DomainError.statisticsYearOutOfRange
        }
    }

    /// 年度执法数据公开: publishes a finished year's figures as a disclosure entry, due by
    /// `disclosure.annual_statistics_due` (31 January) of the next year; later is allowed
    /// and marked late. A year is published once; a mistake is corrected, not republished.
    public func publish(_ caller: Caller, year: Int, call: CallAudit, at now: Moment) async throws -> DisclosureEntry {
        guard year < now.day.year else {
            throw DomainError.statisticsYearNotOver
        }
        let statistics = try await annual(caller, year: year)
        call.target("statistics:\(year)")
        return try await store.change(agency: caller.agency.id, call: call, at: now.instant) { tx in
            let published = try await tx.disclosures.publicEntries(DisclosureFilter(kind: .annualStatistics), after: nil, limit: 1000)
            guard !published.contains(where: { $0.subject == String(year) && $0.action == .publish }) else {
                throw DomainError.statisticsAlreadyPublished(year)
            }
            let due = try await tx.settings().day("disclosure.annual_statistics_due", in: year + 1)
            var entry = DisclosureEntry(
                action: .publish, kind: .annualStatistics, subject: String(year), title: "\(year)年度行政执法数据",
                content: statistics.publicFields, occurredOn: now.day, due: due)
            try entry.publish(at: now, by: caller.userID, origin: DisclosureLogWork.origin(of: caller.agency))
            try await tx.disclosures.insert(entry, sourceOutbox: nil, at: now.instant)
            return entry
        }
    }
}
