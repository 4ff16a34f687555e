import Foundation

/// Why a case's state machine refuses an event (`EnforcementCase.applying`): the rules
/// raise these codes, and the sentences people read are written here, once.
public enum CaseRefusal: Sendable, Equatable {
    case closed
    case wrongStep(waitingFor: CaseStep?, asked: CaseStep)
    case tooFewOfficers(item: String, minimum: Int, named: Int)
    case initiatorNotNamed(officer: String)
    case intendedDecisionMissing
    case notNamedInStep(officer: String)
    case alreadyConfirmed(officer: String)
    case noLegalReviewDue
    case reviewerTookPart(reviewer: String)
    case noApprovalDue
    case majorNotSettled
    case cannotDecideNow
    case majorNeedsApprovingReview
    case stepsRemain(next: CaseStep?)
    case findingsByInspectorsOnly(officer: String)
    case verificationByReinspectorsOnly(officer: String)
    case recused(officer: String)
    case awaitsConfirmation(step: CaseStep, officer: String)

    /// The error for this refusal in the case `caseID`.
    public func error(caseID: UUID) -> DomainError {
        let (zh, en, metadata): (String, String, [String: String]) =
            switch self {
            case .closed: ("案件已结案", "the case is closed", [:])
            case .wrongStep(let waiting, let asked):
                (
                    "案件当前应进行「\(waiting?.label.zh ?? "无")」，不能进行「\(asked.label.zh)」",
                    "the case waits for \(waiting?.label.en ?? "nothing"), not \(asked.label.en)", ["step": asked.rawValue]
                )
            case .tooFewOfficers(let item, let minimum, let named):
                (
                    "事项 \(item) 每次执法至少需要 \(minimum) 名执法人员，仅有 \(named) 名",
                    "item \(item) needs at least \(minimum) officers per act, \(named) named", ["minimum_officers": String(minimum)]
                )
            case .initiatorNotNamed(let officer): ("发起人须是执法人员之一", "the initiator must be one of the officers", ["officer": officer])
            case .intendedDecisionMissing:
                ("告知时须载明拟作出的决定（罚款金额、是否吊销）", "notifying needs the intended decision (fine, revocation)", ["field": "intended"])
            case .notNamedInStep(let officer): ("该执法人员未参与当前步骤", "the officer is not named in the current step", ["officer": officer])
            case .alreadyConfirmed(let officer): ("已确认", "already confirmed", ["officer": officer])
            case .noLegalReviewDue: ("案件当前不需要法制审核", "the case does not wait for legal review", ["step": "legal_review"])
            case .reviewerTookPart(let reviewer):
                ("审核人员参与过本案，不能审核", "the reviewer took part in the case and cannot review it", ["reviewer": reviewer])
            case .noApprovalDue: ("案件当前不等待审批", "the case does not wait for approval", ["step": "approve"])
            case .majorNotSettled:
                ("尚未确定是否重大（须先告知拟作出的决定）", "whether the case is major is not settled yet (notify the intended decision first)", [:])
            case .cannotDecideNow: ("案件当前不能作出决定", "the case cannot be decided now", ["step": "decide"])
            case .majorNeedsApprovingReview:
                ("重大执法决定须经法制审核通过", "a major decision needs an approving legal review on record", ["step": "legal_review"])
            case .stepsRemain(let next):
                ("案件尚有未完成的步骤：\(next?.label.zh ?? "")", "the case has steps still to take: \(next?.label.en ?? "")", ["step": next?.rawValue ?? ""])
            case .findingsByInspectorsOnly(let officer):
                ("只有完成检查的执法人员才能登记检查发现", "findings are recorded by an officer of the inspection just completed", ["officer": officer])
            case .verificationByReinspectorsOnly(let officer):
                ("须由完成复查的执法人员确认整改", "rectification is verified by an officer of the re-inspection just completed", ["officer": officer])
            case .recused(let officer):
                ("执法人员 \(officer) 已回避本案", "officer \(officer) has recused from the case", ["officer": officer, "refusal": "RECUSED"])
            case .awaitsConfirmation(let step, let officer):
                (
                    "「\(step.label.zh)」尚待执法人员 \(officer) 确认", "the \(step.label.en) still waits for officer \(officer) to confirm",
                    ["officer": officer, "step": step.rawValue]
                )
            }
        return DomainError(.failedPrecondition, zh: zh, en: en, metadata: metadata.merging(["case": caseID.uuidString.lowercased()]) { $1 })
    }
}

extension DomainError {
    public static let decisionIncomplete = invalidArgument(
        field: "decision", zh: "决定须有文号、结论和法律依据", en: "a decision needs a number, an outcome and a legal basis")
    public static let fineNegative = invalidArgument(field: "fine", zh: "罚款金额不能为负", en: "a fine cannot be negative")
    public static let findingsUndescribed = invalidArgument(field: "findings", zh: "须写明每项检查发现", en: "describe every finding")

    public static func noFindingAwaitsVerification(_ id: String) -> DomainError {
        DomainError(
            .invalidArgument, zh: "没有待复查的检查发现 \(id)", en: "no finding \(id) awaits verification", metadata: ["field": "finding_ids"])
    }

    /// An officer named in a step whose authority the rules refuse; the code stays in the
    /// metadata for programs.
    public static func officerMayNotAct(_ officer: String, refusal: Authority.Refusal) -> DomainError {
        DomainError(
            .permissionDenied, zh: "执法人员 \(officer) 不能执法：\(refusal.label.zh)", en: "officer \(officer) may not act: \(refusal.label.en)",
            metadata: ["officer": officer, "refusal": refusal.rawValue])
    }
}
