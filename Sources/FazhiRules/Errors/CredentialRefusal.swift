/// Why a credential's state machine refuses an event (`Credential.applying`): the rules
/// raise these codes, and the sentences people read are written here, once.
public enum CredentialRefusal: Sendable, Equatable {
    case termEndedNoReinstatement(validUntil: String)
    case reviewMissing(year: Int)
    case reviewMissingNoRenewal(year: Int)
    case termNotEnded
    case termEndedApplyAgain
    case reviewYearNotFinished
    case yearAlreadyReviewed(Int)
    case trainingHoursShort(hours: Int, threshold: Int)
    case notInThisState

    /// The error for this refusal of `event` on a credential in `state`.
    public func error(state: String, event: String) -> DomainError {
        let (zh, en): (String, String) =
            switch self {
            case .termEndedNoReinstatement(let day): ("证件有效期已于 \(day) 届满，不能恢复", "the term ended on \(day); it cannot be reinstated")
            case .reviewMissing(let year): ("尚未完成 \(year) 年度审验", "the review of \(year) is still missing")
            case .reviewMissingNoRenewal(let year): ("尚未完成 \(year) 年度审验，不能换发", "the review of \(year) is missing; the credential cannot be renewed")
            case .termNotEnded: ("有效期尚未届满", "the term has not ended yet")
            case .termEndedApplyAgain: ("有效期已届满，只能重新申领", "the term has ended; only a new application is possible")
            case .reviewYearNotFinished: ("只能审验证件有效期内已结束的年度", "only a finished year of the credential's term can be reviewed")
            case .yearAlreadyReviewed(let year): ("\(year) 年度已审验", "the year \(year) is already reviewed")
            case .trainingHoursShort(let hours, let threshold):
                ("培训 \(hours) 学时，不足 \(threshold) 学时，不能审验合格", "\(hours) training hours are below the \(threshold) required to pass")
            case .notInThisState:
                (
                    "证件状态为「\(Self.stateLabel(state).zh)」，不能\(Credential.EventName.label(of: event).zh)",
                    "a credential that is \(Self.stateLabel(state).en) is not open to \(Credential.EventName.label(of: event).en)"
                )
            }
        return DomainError(.failedPrecondition, zh: zh, en: en, metadata: ["state": state, "event": event])
    }

    private static func stateLabel(_ state: String) -> Label { Credential.State(rawValue: state)?.label ?? Label(state, state) }
}

extension DomainError {
    public static let areaMissing = invalidArgument(field: "area", zh: "须列明执法区域", en: "name the enforcement area")

    public static func examBelowPassMark(score: Int, passMark: Int) -> DomainError {
        DomainError(
            .failedPrecondition, zh: "资格考试成绩 \(score) 未达合格线 \(passMark)", en: "exam score \(score) is below the pass mark \(passMark)",
            metadata: ["field": "exam"])
    }

    public static func examTooOld(day: String, validityYears: Int) -> DomainError {
        DomainError(
            .failedPrecondition, zh: "资格考试成绩（\(day)）已超过 \(validityYears) 年有效期", en: "the exam of \(day) is older than \(validityYears) years",
            metadata: ["field": "exam"])
    }
}
