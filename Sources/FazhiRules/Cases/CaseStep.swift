/// The steps of an enforcement case (docs/DOMAIN.md, "Cases and the full-process record").
public enum CaseStep: String, Sendable, CaseIterable, Codable {
    /// 立案/启动.
    case open
    /// 调查取证.
    case investigate
    /// 告知: the intended decision and the party's rights (行政处罚法 art. 44).
    case notify
    /// 现场检查: an inspection against its checklist.
    case inspect
    /// 复查: a re-inspection that verifies rectification.
    case reinspect
    /// 法制审核: by a legal reviewer, where required.
    case legalReview = "legal_review"
    /// 负责人审批: by an approver.
    case approve
    /// 决定.
    case decide
    /// 送达.
    case serve
    /// 执行.
    case execute
    /// 结案/归档.
    case close

    /// Steps taken by enforcement officers, at least the item's minimum number of them,
    /// each confirming their part.
    public var isEnforcement: Bool { [.open, .investigate, .notify, .inspect, .reinspect, .serve, .execute].contains(self) }
}

/// The kind of case an item's power category makes, and its steps in order.
public enum CaseKind: String, Sendable, CaseIterable, Codable {
    case penalty, inspection, other

    public init(_ category: PowerItem.Category) {
        switch category {
        case .penalty: self = .penalty
        case .inspection: self = .inspection
        default: self = .other
        }
    }

    /// The steps in order; legal review only when the case is major.
    public func steps(major: Bool) -> [CaseStep] {
        switch self {
        case .penalty: [.open, .investigate, .notify] + (major ? [.legalReview] : []) + [.approve, .decide, .serve, .execute, .close]
        case .inspection: [.open, .inspect, .close]
        case .other: [.open, .investigate] + (major ? [.legalReview] : []) + [.approve, .decide, .serve, .close]
        }
    }
}
