/// The catalogue of errors, part one: what a caller asked for and is not there. Each
/// error's Chinese and English text is written here once; code throws the constructor.
extension DomainError {
    public static let noSuchAgency = notFound("agency", zh: "机构不存在", en: "no such agency")
    public static let noSuchCase = notFound("case", zh: "案件不存在", en: "no such case")
    public static let noSuchCredential = notFound("credential", zh: "证件不存在", en: "no such credential")
    public static let noSuchOfficer = notFound("officer", zh: "执法人员不存在", en: "no such officer")
    public static let noSuchParty = notFound("party", zh: "当事人不存在", en: "no such party")
    public static let noSuchDisclosure = notFound("disclosure", zh: "公示条目不存在", en: "no such disclosure entry")
    public static let noSuchRecordEntry = notFound("record_entry", zh: "本案没有该记录", en: "the case has no such record entry")
    public static let noSuchEvidence = notFound("evidence", zh: "本案没有该证据", en: "the case has no such evidence")
    public static let noOfficerForAccount = notFound("officer", zh: "您的账户未关联执法人员", en: "your account is not linked to an officer")
    public static let decisionCaseMissing = notFound("case", zh: "公示的决定所属案件不存在", en: "the decision's case does not exist")
    public static let noCheckpointYet = notFound("checkpoint", zh: "该机构的公示日志尚无检查点", en: "the agency's log has no checkpoint yet")

    public static func noSuchUser(_ username: String) -> DomainError {
        notFound("user", zh: "用户「\(username)」不存在", en: "no user \"\(username)\"")
    }

    public static func noSuchAgencyAdmin(_ username: String) -> DomainError {
        notFound("user", zh: "机构管理员「\(username)」不存在", en: "no agency admin \"\(username)\"")
    }

    public static func noSuchDraftItem(_ code: String) -> DomainError {
        notFound("power_item", zh: "草稿中没有事项 \(code)", en: "the draft holds no item \(code)")
    }

    /// No published version `version` of the power list, or none at all when nil.
    public static func noSuchPowerList(version: Int?) -> DomainError {
        notFound(
            "power_list", zh: version.map { "没有第 \($0) 版权责清单" } ?? "该机构尚未发布权责清单",
            en: version.map { "there is no version \($0)" } ?? "the agency has published no power list")
    }

    public static func noCheckpoint(size: Int) -> DomainError {
        notFound("checkpoint", zh: "没有该大小的检查点", en: "no checkpoint of size \(size)")
    }
}
