/// The catalogue of errors: values checked by the rules (times, names, codes, keys) and
/// the fields of a request.
extension DomainError {
    public static let dailyTimeOutOfRange = invalidArgument(
        field: "jobs.daily_at", zh: "时刻须在 00:00 至 23:59 之间", en: "the time of day must be 00:00 to 23:59")
    public static let dailyTimeUnreadable = invalidArgument(
        field: "jobs.daily_at", zh: "时刻须写作 HH:MM（24 小时制），例如 02:00", en: "write the time of day as HH:MM on a 24-hour clock, for example 02:00")
    public static let usernameInvalid = invalidArgument(
        field: "username", zh: "用户名须为 2–64 位小写字母、数字或 . _ -，并以字母或数字开头",
        en: "a username has 2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
    public static let serverSecretInvalid = invalidArgument(
        field: "secrets.key", zh: "服务器密钥须为 32 字节随机数的 base64 编码", en: "the server secret must be 32 random bytes, base64-encoded")
    public static let sealingFailed = DomainError(.failedPrecondition, zh: "加密失败", en: "sealing failed")
    public static let contactInvalid = invalidArgument(
        field: "contact", zh: "联系方式须为 5 至 40 位电话号码", en: "the contact must be a phone number of 5 to 40 characters")
    public static let entryAlreadyPublished = DomainError(
        .failedPrecondition, zh: "该公示条目已发布，不是待发布稿", en: "the entry is already published, not a draft")

    public static func entryCannotBeSuperseded(state: String) -> DomainError {
        DomainError(.failedPrecondition, zh: "该公示条目当前状态（\(state)）不能撤回或更正", en: "an entry in state \(state) cannot be withdrawn or corrected")
    }

    public static func unknownRole(_ name: String) -> DomainError {
        invalidArgument(field: "roles", zh: "未知角色「\(name)」", en: "unknown role \"\(name)\"")
    }

    public static func divisionCodeInvalid(_ code: String) -> DomainError {
        invalidArgument(field: "area", zh: "行政区划代码须为 6 位数字：\(code)", en: "a division code has six digits, got \"\(code)\"")
    }

    public static func majorInvalid(item code: String) -> DomainError {
        invalidArgument(field: "major", zh: "事项 \(code)：「是否重大」须为 yes、no 或 conditional", en: "item \(code): major must be yes, no or conditional")
    }

    public static func entryFieldInvalid(_ field: String) -> DomainError {
        invalidArgument(field: field, zh: "公示条目的 \(field) 无效", en: "the entry's \(field) is not valid")
    }

    /// A required field of a request left empty (`label` its Chinese name).
    public static func missingField(_ field: String, label: String) -> DomainError {
        invalidArgument(field: field, zh: "缺少\(label)（\(field)）", en: "\(field) is required")
    }

    public static func identifierInvalid(field: String, label: String) -> DomainError {
        invalidArgument(field: field, zh: "\(label)格式无效", en: "\(field) is not a valid id")
    }

    public static func dayUnreadable(field: String, label: String) -> DomainError {
        invalidArgument(field: field, zh: "\(label)须为 YYYY-MM-DD 格式的日期", en: "\(field) must be a date as YYYY-MM-DD")
    }

    public static func dayOutOfRange(field: String, label: String, years: ClosedRange<Int>) -> DomainError {
        invalidArgument(
            field: field, zh: "\(label)须在 \(years.lowerBound) 年至 \(years.upperBound) 年之间",
            en: "\(field) must be a day from \(years.lowerBound) to \(years.upperBound)")
    }

    /// Why a client certificate does not sign its holder in.
    public enum CertificateFlaw: Sendable {
        case missing, notOneSubject, notIssuedByItsAgency
    }

    public static func certificateRefused(_ flaw: CertificateFlaw) -> DomainError {
        let (zh, en): (String, String) =
            switch flaw {
            case .missing: ("需要有效的客户端证书", "a valid client certificate is required")
            case .notOneSubject: ("客户端证书须恰好载明一个机构与用户的标识（URI）", "the client certificate must name exactly one agency and user (one URI)")
            case .notIssuedByItsAgency: ("客户端证书不是由其所属机构签发的", "the client certificate was not issued by its own agency's CA")
            }
        return DomainError(.authenticationRequired, zh: zh, en: en)
    }
}
