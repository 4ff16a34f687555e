/// The catalogue of errors: requests as such (paging, limits, accounts, agencies).
extension DomainError {
    public static func invalidPageToken(field: String = "page.page_token") -> DomainError {
        invalidArgument(field: field, zh: "分页令牌无效", en: "the page token is not valid")
    }

    public static let pageSizeNegative = invalidArgument(field: "page.page_size", zh: "每页条数不能为负数", en: "page_size cannot be negative")
    public static let searchTextTooLong = invalidArgument(
        field: "name_contains", zh: "查询词至多 100 字", en: "the search text has at most 100 characters")
    public static let sha256NotHex = invalidArgument(field: "sha256", zh: "SHA-256 须为 64 位十六进制", en: "sha256 must be 64 hexadecimal characters")
    public static let agencyCodeInvalid = invalidArgument(
        field: "code", zh: "机构代码须为 1–32 位字母、数字或连字符", en: "an agency code has 1 to 32 letters, digits or hyphens")
    public static let agencyNameInvalid = invalidArgument(field: "name", zh: "机构名称须为 1–100 个字符", en: "an agency name has 1 to 100 characters")
    public static let divisionCodeInvalid = invalidArgument(field: "division_code", zh: "行政区划代码须为 6 位数字", en: "a division code has 6 digits")
    public static let displayNameInvalid = invalidArgument(field: "display_name", zh: "姓名须为 1–100 个字符", en: "a display name has 1 to 100 characters")

    /// A field that must be one of `allowed` (`label` its Chinese name).
    public static func notOneOf(field: String, label: String, allowed: [String]) -> DomainError {
        let zhList = allowed.count > 1 ? allowed.dropLast().joined(separator: "、") + " 或 " + allowed.last! : allowed.joined()
        let enList = allowed.count > 1 ? allowed.dropLast().joined(separator: ", ") + " or " + allowed.last! : allowed.joined()
        return invalidArgument(field: field, zh: "\(label)须为 \(zhList)", en: "\(field) must be \(enList)")
    }

    /// The server already streams `maximum` exports at once.
    public static func exportsAtLimit(_ maximum: Int) -> DomainError {
        DomainError(
            .resourceExhausted, zh: "同时进行的导出已达上限（\(maximum) 个），请稍后重试",
            en: "the server already runs \(maximum) exports at once; retry later", metadata: ["limit": "\(maximum)"])
    }

    public static func containsNUL(field: String) -> DomainError {
        invalidArgument(field: field, zh: "\(field) 含有空字符（NUL），不能接受", en: "\(field) contains a NUL character")
    }

    public static func textTooLong(field: String, maximumBytes: Int) -> DomainError {
        invalidArgument(field: field, zh: "\(field) 过长（最多 \(maximumBytes) 字节）", en: "\(field) is longer than \(maximumBytes) bytes")
    }

    public static func timeOutOfRange(field: String) -> DomainError {
        invalidArgument(field: field, zh: "\(field) 不是 0001 年至 9999 年之间的有效时间", en: "\(field) is not a valid time between the years 1 and 9999")
    }
}
