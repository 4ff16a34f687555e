extension Credential.State: Labelled {
    public var label: Label {
        switch self {
        case .applied: Label("申领中", "applied for")
        case .rejected: Label("不予发证", "refused")
        case .active: Label("有效", "in force")
        case .suspended: Label("暂扣", "suspended")
        case .revoked: Label("已吊销", "revoked")
        case .expired: Label("过期", "expired")
        case .superseded: Label("已换发", "superseded")
        }
    }
}

extension Credential.Review.Outcome: Labelled {
    public var label: Label {
        switch self {
        case .passed: Label("审验合格", "passed")
        case .failedSuspend: Label("不合格，暂扣", "failed: suspended")
        case .failedRevoke: Label("不合格，吊销", "failed: revoked")
        }
    }
}

extension Authority.Refusal: Labelled {
    public var label: Label {
        switch self {
        case .noCredential: Label("没有有效的执法证", "holds no credential in force")
        case .suspended: Label("执法证已暂扣", "the credential is suspended")
        case .revoked: Label("执法证已吊销", "the credential is revoked")
        case .expired: Label("执法证已过期", "the credential has expired")
        case .overdueForReview: Label("执法证逾期未审验", "the credential is overdue for its yearly review")
        case .categoryNotCovered: Label("执法证不含该执法类别", "the credential does not cover this category")
        case .areaNotCovered: Label("执法证不含该执法区域", "the credential does not cover this area")
        }
    }
}

extension Credential {
    /// What happened to a credential, by the names its history keeps (`Event.name`;
    /// `apply` for the application; `renewal` and `replacement` for a successor's issue).
    public enum EventName: String, Sendable, CaseIterable, Labelled {
        case apply, issue, reject, suspend, reinstate, revoke, expire, renew, replace, review, renewal, replacement

        public var label: Label {
            switch self {
            case .apply: Label("申领", "application")
            case .issue: Label("发证", "issue")
            case .reject: Label("不予发证", "refusal")
            case .suspend: Label("暂扣", "suspension")
            case .reinstate: Label("恢复", "reinstatement")
            case .revoke: Label("吊销", "revocation")
            case .expire: Label("期满", "expiry")
            case .renew: Label("换证", "renewal")
            case .replace: Label("补证", "replacement")
            case .review: Label("年审", "yearly review")
            case .renewal: Label("换发新证", "issued on renewal")
            case .replacement: Label("补发新证", "issued as a replacement")
            }
        }

        /// The label of a name kept in a history, or the name itself if unknown.
        public static func label(of name: String) -> Label {
            EventName(rawValue: name)?.label ?? Label(name, name)
        }
    }
}

extension Role: Labelled {
    public var label: Label {
        switch self {
        case .officer: Label("执法人员", "officer")
        case .credentialAdmin: Label("证件管理员", "credential administrator")
        case .legalReviewer: Label("法制审核人员", "legal reviewer")
        case .approver: Label("负责人", "approver")
        case .complianceOfficer: Label("法制统计人员", "compliance officer")
        case .auditor: Label("监督人员", "auditor")
        case .admin: Label("系统管理员", "administrator")
        case .platformAdmin: Label("平台管理员", "platform administrator")
        }
    }
}
