import Foundation

/// 检查清单: what an inspection of an institution checks, by institution type. Built in:
/// the bureau's safety checks of elderly care institutions (fire 消防, food 食品安全,
/// buildings 房屋建筑) and a general list for other parties.
public enum InspectionChecklist {
    public struct Item: Sendable, Equatable {
        public var code: String
        public var area: String
        public var text: String
    }

    public static func items(for type: Party.InstitutionType?) -> [Item] {
        switch type {
        case .elderlyCare?:
            [
                Item(code: "FIRE-1", area: "消防", text: "消防设施、器材完好有效"),
                Item(code: "FIRE-2", area: "消防", text: "疏散通道、安全出口畅通"),
                Item(code: "FIRE-3", area: "消防", text: "消防控制室值班及夜间巡查"),
                Item(code: "FOOD-1", area: "食品安全", text: "食品留样及进货查验记录"),
                Item(code: "FOOD-2", area: "食品安全", text: "从业人员健康证明"),
                Item(code: "BLDG-1", area: "房屋建筑", text: "房屋安全鉴定及隐患整治"),
                Item(code: "BLDG-2", area: "房屋建筑", text: "护栏、扶手、防滑等适老设施"),
            ]
        default:
            [
                Item(code: "GEN-1", area: "登记", text: "登记事项与实际一致"),
                Item(code: "GEN-2", area: "制度", text: "内部管理制度健全并执行"),
                Item(code: "GEN-3", area: "安全", text: "安全管理及隐患整治"),
            ]
        }
    }
}

/// 检查发现及责令整改: a finding of an inspection, with its rectification order and the
/// re-inspection that verifies it. The inspection closes only when every finding is
/// verified rectified (闭环).
public struct Finding: Sendable, Equatable, Codable {
    public var id: UUID
    public var checklistCode: String
    public var description: String
    /// 责令整改通知书: rectify by this day (working days from the calendar).
    public var deadline: CalendarDay
    public var deadlineProvisional: Bool
    public var verifiedOn: CalendarDay?
    /// The day the sweep first found it overdue.
    public var overdueSince: CalendarDay?

    public init(id: UUID, checklistCode: String, description: String, deadline: CalendarDay, deadlineProvisional: Bool) {
        self.id = id
        self.checklistCode = checklistCode
        self.description = description
        self.deadline = deadline
        self.deadlineProvisional = deadlineProvisional
    }

    public func isOverdue(on day: CalendarDay) -> Bool { verifiedOn == nil && day > deadline }
}
