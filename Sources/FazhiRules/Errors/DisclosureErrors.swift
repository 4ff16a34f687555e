/// The catalogue of errors: public disclosure and its log.
extension DomainError {
    public static let changeDayInFuture = invalidArgument(field: "changed_on", zh: "变更日期不能晚于今天", en: "the day of the change cannot be in the future")
    public static let correctedFieldsMissing = invalidArgument(field: "fields", zh: "请给出更正的内容", en: "give the corrected fields")
    public static let publicReasonRequired = invalidArgument(
        field: "reason", zh: "请填写公开的理由（2 至 500 字）", en: "give a public reason of 2 to 500 characters")
    public static let oldSizeOutOfRange = invalidArgument(
        field: "old_size", zh: "旧树大小须在 1 与新树大小之间", en: "the old size must be between 1 and the new size")
    public static let newSizeBeyondLog = invalidArgument(field: "new_size", zh: "新树大小超过日志当前大小", en: "the new size is larger than the log")
    public static let entryCountOutOfRange = invalidArgument(field: "count", zh: "条数须在 1 至 1000 之间", en: "count must be between 1 and 1000")

    public static func unknownEntryFields(_ names: [String]) -> DomainError {
        invalidArgument(
            field: "fields", zh: "该条目没有字段 \(names.sorted().joined(separator: "、"))",
            en: "the entry has no field \(names.sorted().joined(separator: ", "))")
    }

    /// A log size (`label` its Chinese name) outside 0 to `maximum`.
    public static func logSizeOutOfRange(field: String, label: String, maximum: Int64) -> DomainError {
        invalidArgument(field: field, zh: "\(label)须在 0 至 \(maximum) 之间", en: "\(field) must be between 0 and \(maximum)")
    }
}
