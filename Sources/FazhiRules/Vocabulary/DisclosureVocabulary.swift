extension DisclosureEntry.Kind: Labelled {
    public var label: Label {
        switch self {
        case .enforcementPersonnel: Label("执法人员信息", "enforcement personnel")
        case .powerList: Label("权责清单", "power list")
        case .decision: Label("执法决定", "enforcement decision")
        case .annualStatistics: Label("年度统计", "annual statistics")
        }
    }
}

extension DisclosureEntry.Action: Labelled {
    public var label: Label {
        switch self {
        case .publish: Label("公示", "publication")
        case .withdraw: Label("撤回", "withdrawal")
        case .correct: Label("更正", "correction")
        }
    }
}

extension DisclosureEntry.State: Labelled {
    public var label: Label {
        switch self {
        case .draft: Label("待发布", "draft")
        case .published: Label("已公示", "published")
        case .withdrawn: Label("已撤回", "withdrawn")
        case .corrected: Label("已更正", "corrected")
        }
    }
}

extension HolidaySchedule.Kind: Labelled {
    public var label: Label {
        switch self {
        case .holiday: Label("法定节假日", "public holiday")
        case .workday: Label("调休上班日", "working weekend day")
        }
    }
}
