/// What a store found already there, or changed meanwhile, when it wrote: stores raise
/// these codes, and the sentences people read are written here, once.
public enum StoreConflict: Sendable, Equatable {
    case agencyCodeTaken(String)
    case usernameTaken(String)
    case partyCreditCodeRecorded
    case partyIDNumberRecorded
    case officerIDNumberRecorded
    case userAlreadyAnOfficer
    case decisionNumberTaken
    case powerListVersionPublished(Int)

    /// The request field the conflict is about, when there is one.
    public var field: String? {
        switch self {
        case .agencyCodeTaken: "code"
        case .usernameTaken, .userAlreadyAnOfficer: "username"
        case .partyCreditCodeRecorded: "credit_code"
        case .partyIDNumberRecorded, .officerIDNumberRecorded: "id_number"
        case .decisionNumberTaken: "decision_number"
        case .powerListVersionPublished: nil
        }
    }

    public var error: DomainError {
        let (reason, zh, en): (DomainError.Reason, String, String) =
            switch self {
            case .agencyCodeTaken(let code): (.alreadyExists, "机构代码「\(code)」已存在", "agency code \"\(code)\" is taken")
            case .usernameTaken(let name): (.alreadyExists, "用户名「\(name)」已被使用", "username \"\(name)\" is taken")
            case .partyCreditCodeRecorded: (.alreadyExists, "该统一社会信用代码的当事人已登记", "a party with this credit code is already recorded")
            case .partyIDNumberRecorded: (.alreadyExists, "该身份证号码的当事人已登记", "a person with this resident ID number is already recorded")
            case .officerIDNumberRecorded: (.alreadyExists, "该身份证号码的执法人员已存在", "an officer with this resident ID number exists")
            case .userAlreadyAnOfficer: (.alreadyExists, "该用户已关联其他执法人员", "this user account is already linked to an officer")
            case .decisionNumberTaken: (.alreadyExists, "决定书文号已被使用", "the decision number is already taken")
            case .powerListVersionPublished(let version):
                (.failedPrecondition, "第 \(version) 版已由他人发布，请重试", "version \(version) was published meanwhile; try again")
            }
        return DomainError(reason, zh: zh, en: en, metadata: field.map { ["field": $0] } ?? [:])
    }
}

extension DomainError {
    /// The error a store raises for `conflict`.
    public static func conflict(_ conflict: StoreConflict) -> DomainError { conflict.error }
}
