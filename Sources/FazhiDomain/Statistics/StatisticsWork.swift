import Foundation

/// Compliance officers and auditors read the year's figures.
public struct StatisticsWork: Sendable {
    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    public func annual(_ caller: Caller, year: Int) async throws -> AnnualStatistics {
        try Self.checkYear(year)
        return try await store.transaction(agency: caller.agency.id, readOnly: true) { tx in
            var statistics = AnnualStatistics(agencyCode: caller.agency.code, agencyName: caller.agency.name, year: year)
            try await tx.statistics.annual(year: year, into: &statistics)
            return statistics
        }
    }

    /// The case rows of `year`, page by page, each page its own short transaction, so an
    /// export of any size holds one page in memory.
    public func caseRows(_ caller: Caller, year: Int, after: UUID?, limit: Int) async throws -> [CaseExportRow] {
        try Self.checkYear(year)
        return try await store.transaction(agency: caller.agency.id, readOnly: true) { tx in
            try await tx.statistics.caseRows(year: year, after: after, limit: limit)
        }
    }

    /// The case rows of `year` as RFC 4180 CSV records (CRLF), streamed from one read-only
    /// transaction as the store produces them; `consume` gets each chunk with the number of
    /// records written so far.
    public func caseRowsCSV(_ caller: Caller, year: Int, into consume: @escaping @Sendable (Data, Int) async throws -> Void) async throws {
        try Self.checkYear(year)
        try await store.transaction(agency: caller.agency.id, readOnly: true) { tx in try await tx.statistics.caseRowsCSV(year: year, into: consume) }
    }

    public func caseRowCount(_ caller: Caller, year: Int) async throws -> Int {
        try Self.checkYear(year)
        return try await store.transaction(agency: caller.agency.id, readOnly: true) { tx in try await tx.statistics.caseRowCount(year: year) }
    }

    static func checkYear(_ year: Int) throws {
        guard (2000...2100).contains(year) else {
            throw DomainError.invalidArgument(field: "year", zh: "年份须在 2000 至 2100 之间", en: "the year must be between 2000 and 2100")
        }
    }

    /// 年度执法数据公开: publishes a finished year's figures as a disclosure entry, due by
    /// `disclosure.annual_statistics_due` (31 January) of the next year; later is allowed
    /// and marked late. A year is published once; a mistake is corrected, not republished.
    public func publish(_ caller: Caller, year: Int, call: CallAudit, at now: Moment) async throws -> DisclosureEntry {
        guard year < now.day.year else {
            throw DomainError.invalidArgument(field: "year", zh: "只能公开已结束年度的数据", en: "only a finished year's figures can be published")
        }
        let statistics = try await annual(caller, year: year)
        call.target("statistics:\(year)")
        return try await store.change(agency: caller.agency.id, call: call, at: now.instant) { tx in
            let published = try await tx.disclosures.publicEntries(DisclosureFilter(kind: .annualStatistics), after: nil, limit: 1000)
            guard !published.contains(where: { $0.subject == String(year) && $0.action == .publish }) else {
                throw DomainError(
                    .alreadyExists, zh: "\(year) 年度数据已公开；如有错误请更正", en: "the figures of \(year) are already published; correct them instead")
            }
            let due = try await tx.settings().day("disclosure.annual_statistics_due", in: year + 1)
            var entry = DisclosureEntry(
                action: .publish, kind: .annualStatistics, subject: String(year), title: "\(year)年度行政执法数据",
                content: Self.publicFields(statistics), occurredOn: now.day, due: due)
            try entry.publish(at: now, by: caller.userID, origin: DisclosureLog.origin(of: caller.agency))
            try await tx.disclosures.insert(entry, sourceOutbox: nil, at: now.instant)
            return entry
        }
    }

    /// The order and Chinese names of the published figures.
    public static let fieldOrder = [
        "year", "officers_at_year_end", "valid_credentials_at_year_end", "credentials_issued", "credentials_renewed", "credentials_replaced",
        "credentials_reviewed", "credentials_suspended", "credentials_revoked", "cases_opened", "decisions", "cases_by_power_category", "inspections",
        "findings", "rectified_on_time", "rectified_late", "rectification_open", "penalty_decisions", "total_fines", "legal_reviews_approved",
        "legal_reviews_returned", "legal_reviews_rejected", "disclosures_on_time", "disclosures_late", "withdrawals",
    ]

    public static let fieldNames = [
        "year": "年度", "officers_at_year_end": "年末执法人员", "valid_credentials_at_year_end": "年末有效执法证", "credentials_issued": "发证",
        "credentials_renewed": "换证", "credentials_replaced": "补证", "credentials_reviewed": "年审", "credentials_suspended": "暂扣",
        "credentials_revoked": "吊销", "cases_opened": "立案（执法行为）", "decisions": "执法决定", "cases_by_power_category": "按职权类别（立案/决定）",
        "inspections": "检查", "findings": "发现问题", "rectified_on_time": "按期整改", "rectified_late": "逾期整改", "rectification_open": "尚未整改",
        "penalty_decisions": "行政处罚", "total_fines": "罚款合计（元）", "legal_reviews_approved": "法制审核通过", "legal_reviews_returned": "法制审核退回",
        "legal_reviews_rejected": "法制审核不予通过", "disclosures_on_time": "按期公示", "disclosures_late": "逾期公示", "withdrawals": "撤回公示",
    ]

    /// The figures as the public reads them: every count, and the acts by category.
    public static func publicFields(_ s: AnnualStatistics) -> [String: String] {
        [
            "year": String(s.year), "officers_at_year_end": String(s.officersAtYearEnd),
            "valid_credentials_at_year_end": String(s.validCredentialsAtYearEnd),
            "credentials_issued": String(s.credentialsIssued), "credentials_renewed": String(s.credentialsRenewed),
            "credentials_replaced": String(s.credentialsReplaced), "credentials_reviewed": String(s.credentialsReviewed),
            "credentials_suspended": String(s.credentialsSuspended), "credentials_revoked": String(s.credentialsRevoked),
            "cases_opened": String(s.casesOpened), "decisions": String(s.decisions),
            "cases_by_power_category": s.casesByPowerCategory.map { "\($0.category) \($0.cases)/\($0.decisions)" }.joined(separator: "；"),
            "inspections": String(s.inspections), "findings": String(s.findings), "rectified_on_time": String(s.rectifiedOnTime),
            "rectified_late": String(s.rectifiedLate), "rectification_open": String(s.rectificationOpen),
            "penalty_decisions": String(s.penaltyDecisions), "total_fines": "\(s.totalFines)",
            "legal_reviews_approved": String(s.legalReviewsApproved), "legal_reviews_returned": String(s.legalReviewsReturned),
            "legal_reviews_rejected": String(s.legalReviewsRejected), "disclosures_on_time": String(s.disclosuresOnTime),
            "disclosures_late": String(s.disclosuresLate), "withdrawals": String(s.withdrawals),
        ]
    }
}
