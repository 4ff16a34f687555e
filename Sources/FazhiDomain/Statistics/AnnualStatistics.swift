import Foundation

/// 行政执法统计年报: an agency's enforcement in one year (DOMAIN.md, "Statistics"). Every
/// figure is a count or a sum; none names a natural person. The year runs in China
/// Standard Time.
public struct AnnualStatistics: Sendable, Equatable, Codable {
    public var agencyCode: String
    public var agencyName: String
    public var year: Int

    // The corps.
    public var officersAtYearEnd: Int
    public var validCredentialsAtYearEnd: Int
    public var credentialsIssued: Int
    public var credentialsRenewed: Int
    public var credentialsReplaced: Int
    public var credentialsReviewed: Int
    public var credentialsSuspended: Int
    public var credentialsRevoked: Int

    // Acts: a case of any power category.
    public var casesOpened: Int
    public var decisions: Int
    public var casesByPowerCategory: [CategoryFigures]
    public var casesByItem: [ItemFigures]

    // Inspections and their rectification orders (one per finding).
    public var inspections: Int
    public var findings: Int
    public var rectifiedOnTime: Int
    public var rectifiedLate: Int
    public var rectificationOpen: Int

    // Penalties.
    public var penaltyDecisions: Int
    public var totalFines: Decimal

    // 法制审核.
    public var legalReviewsApproved: Int
    public var legalReviewsReturned: Int
    public var legalReviewsRejected: Int

    // 公示.
    public var disclosuresOnTime: Int
    public var disclosuresLate: Int
    public var withdrawals: Int

    /// January to December.
    public var months: [MonthFigures]

    public struct CategoryFigures: Sendable, Equatable, Codable {
        /// The power category (licensing, penalty, inspection, ...).
        public var category: String
        public var cases: Int
        public var decisions: Int

        public init(category: String, cases: Int, decisions: Int) {
            self.category = category
            self.cases = cases
            self.decisions = decisions
        }
    }

    public struct ItemFigures: Sendable, Equatable, Codable {
        public var itemCode: String
        public var itemName: String
        public var category: String
        public var cases: Int
        public var decisions: Int

        public init(itemCode: String, itemName: String, category: String, cases: Int, decisions: Int) {
            self.itemCode = itemCode
            self.itemName = itemName
            self.category = category
            self.cases = cases
            self.decisions = decisions
        }
    }

    public struct MonthFigures: Sendable, Equatable, Codable {
        public var month: Int
        public var casesOpened: Int
        public var decisions: Int
        public var inspections: Int
        public var disclosures: Int

        public init(month: Int, casesOpened: Int, decisions: Int, inspections: Int, disclosures: Int) {
            self.month = month
            self.casesOpened = casesOpened
            self.decisions = decisions
            self.inspections = inspections
            self.disclosures = disclosures
        }
    }

    public init(agencyCode: String, agencyName: String, year: Int) {
        self.agencyCode = agencyCode
        self.agencyName = agencyName
        self.year = year
        officersAtYearEnd = 0
        validCredentialsAtYearEnd = 0
        credentialsIssued = 0
        credentialsRenewed = 0
        credentialsReplaced = 0
        credentialsReviewed = 0
        credentialsSuspended = 0
        credentialsRevoked = 0
        casesOpened = 0
        decisions = 0
        casesByPowerCategory = []
        casesByItem = []
        inspections = 0
        findings = 0
        rectifiedOnTime = 0
        rectifiedLate = 0
        rectificationOpen = 0
        penaltyDecisions = 0
        totalFines = 0
        legalReviewsApproved = 0
        legalReviewsReturned = 0
        legalReviewsRejected = 0
        disclosuresOnTime = 0
        disclosuresLate = 0
        withdrawals = 0
        months = (1...12).map { MonthFigures(month: $0, casesOpened: 0, decisions: 0, inspections: 0, disclosures: 0) }
    }
}

/// The figures, computed by the store (in SQL, where the rows are).
public protocol StatisticsRecords: Sendable {
    /// Every figure of `year` except the agency's name and code.
    func annual(year: Int, into statistics: inout AnnualStatistics) async throws
    /// How many cases were opened or decided in `year`.
    func caseRowCount(year: Int) async throws -> Int
    /// Those cases in id order after `after`, at most `limit`.
    func caseRows(year: Int, after: UUID?, limit: Int) async throws -> [CaseExportRow]
}

/// Compliance officers and auditors read the year's figures.
public struct StatisticsWork: Sendable {
    public let store: any TenantStore

    public init(store: any TenantStore) { self.store = store }

    public func annual(_ caller: Caller, year: Int) async throws -> AnnualStatistics {
        guard (2000...2100).contains(year) else {
            throw DomainError.invalidArgument(field: "year", zh: "年份须在 2000 至 2100 之间", en: "the year must be between 2000 and 2100")
        }
        return try await store.transaction(agency: caller.agency.id, readOnly: true) { tx in
            var statistics = AnnualStatistics(agencyCode: caller.agency.code, agencyName: caller.agency.name, year: year)
            try await tx.statistics.annual(year: year, into: &statistics)
            return statistics
        }
    }

    /// The case rows of `year`, page by page, each page its own short transaction, so an
    /// export of any size holds one page in memory.
    public func caseRows(_ caller: Caller, year: Int, after: UUID?, limit: Int) async throws -> [CaseExportRow] {
        try await store.transaction(agency: caller.agency.id, readOnly: true) { tx in try await tx.statistics.caseRows(year: year, after: after, limit: limit) }
    }

    public func caseRowCount(_ caller: Caller, year: Int) async throws -> Int {
        try await store.transaction(agency: caller.agency.id, readOnly: true) { tx in try await tx.statistics.caseRowCount(year: year) }
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
        let result = try await store.transaction(agency: caller.agency.id, readOnly: false) { tx in
            let published = try await tx.disclosures.publicEntries(DisclosureFilter(kind: .annualStatistics), after: nil, limit: 1000)
            guard !published.contains(where: { $0.subject == String(year) && $0.action == .publish }) else {
                throw DomainError(.alreadyExists, zh: "\(year) 年度数据已公开；如有错误请更正", en: "the figures of \(year) are already published; correct them instead")
            }
            let due = try await tx.settings().day("disclosure.annual_statistics_due", in: year + 1)
            var entry = DisclosureEntry(action: .publish, kind: .annualStatistics, subject: String(year), title: "\(year)年度行政执法数据",
                                        content: Self.publicFields(statistics), occurredOn: now.day, due: due)
            try entry.publish(at: now, by: caller.userID, origin: DisclosureLog.origin(of: caller.agency))
            try await tx.disclosures.insert(entry, sourceOutbox: nil, at: now.instant)
            try await tx.appendAudit(call.record(status: "OK", reason: nil, now: now.instant))
            return entry
        }
        call.markWritten()
        return result
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
            "year": String(s.year), "officers_at_year_end": String(s.officersAtYearEnd), "valid_credentials_at_year_end": String(s.validCredentialsAtYearEnd),
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
