extension CaseStep: Labelled {
    public var label: Label {
        switch self {
        case .open: Label("立案", "opening")
        case .investigate: Label("调查取证", "investigation")
        case .notify: Label("告知", "notice of intended decision")
        case .inspect: Label("现场检查", "inspection")
        case .reinspect: Label("复查", "re-inspection")
        case .legalReview: Label("法制审核", "legal review")
        case .approve: Label("负责人审批", "approval")
        case .decide: Label("决定", "decision")
        case .serve: Label("送达", "service")
        case .execute: Label("执行", "enforcement of the decision")
        case .close: Label("结案", "closing")
        }
    }
}

extension CaseKind: Labelled {
    public var label: Label {
        switch self {
        case .penalty: Label("行政处罚案件", "penalty case")
        case .inspection: Label("行政检查", "inspection")
        case .other: Label("其他行政执法案件", "other enforcement case")
        }
    }
}

extension EnforcementCase.Status: Labelled {
    public var label: Label {
        switch self {
        case .open: Label("办理中", "open")
        case .closed: Label("已结案", "closed")
        }
    }
}

extension EnforcementCase.ReviewOutcome: Labelled {
    public var label: Label {
        switch self {
        case .approve: Label("同意", "approved")
        case .returnForCorrection: Label("退回补正", "returned for correction")
        case .reject: Label("不同意", "rejected")
        }
    }
}

extension PowerItem.Category: Labelled {
    public var label: Label {
        switch self {
        case .licensing: Label(chineseName, "licensing")
        case .penalty: Label(chineseName, "penalty")
        case .coercion: Label(chineseName, "coercion")
        case .levy: Label(chineseName, "levy")
        case .benefit: Label(chineseName, "benefit")
        case .inspection: Label(chineseName, "inspection")
        case .confirmation: Label(chineseName, "confirmation")
        case .reward: Label(chineseName, "reward")
        case .adjudication: Label(chineseName, "adjudication")
        case .other: Label(chineseName, "other")
        }
    }
}

extension PowerItem.Major: Labelled {
    public var label: Label {
        switch self {
        case .yes: Label("是", "yes")
        case .no: Label("否", "no")
        case .conditional: Label("视情形", "conditional")
        }
    }
}

extension Party.Kind: Labelled {
    public var label: Label {
        switch self {
        case .organization: Label("组织", "organization")
        case .institution: Label("机构", "institution")
        case .person: Label("自然人", "natural person")
        }
    }
}

extension Party.InstitutionType: Labelled {
    public var label: Label {
        switch self {
        case .elderlyCare: Label("养老机构", "elderly care institution")
        case .childWelfare: Label("儿童福利机构", "child welfare institution")
        case .funeral: Label("殡葬服务机构", "funeral service")
        case .reliefStation: Label("救助管理机构", "relief station")
        case .other: Label("其他机构", "other institution")
        }
    }
}
