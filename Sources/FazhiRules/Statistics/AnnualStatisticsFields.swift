/// The published figures of a year: their keys in order, their Chinese names, their values.
extension AnnualStatistics {
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
    public var publicFields: [String: String] {
        let s = self
        return [
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
