import Foundation

/// 行政执法统计年报: an agency's enforcement in one year (docs/DOMAIN.md, "Statistics"). Every
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
