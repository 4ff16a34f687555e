/// The catalogue of errors: the power list and annual statistics.
extension DomainError {
    public static let itemCodeTwice = invalidArgument(field: "items", zh: "事项编码重复", en: "an item code appears twice")
    public static let publishReasonRequired = invalidArgument(
        field: "reason", zh: "须填写 1 至 500 字的发布理由", en: "give a reason of 1 to 500 characters")
    public static let draftEmpty = DomainError(.failedPrecondition, zh: "草稿为空，不能发布", en: "the draft is empty; there is nothing to publish")
    public static let versionNegative = invalidArgument(field: "version", zh: "版本号不能为负数", en: "version cannot be negative")
    public static let tooManyItems = invalidArgument(field: "items", zh: "一次至多 2000 个事项", en: "at most 2000 items at once")

    public static func draftUnchanged(since version: Int) -> DomainError {
        DomainError(.failedPrecondition, zh: "草稿与第 \(version) 版相同，无需发布", en: "the draft is the same as version \(version)")
    }

    public static let statisticsYearOutOfRange = invalidArgument(
        field: "year", zh: "年份须在 2000 至 2100 之间", en: "the year must be between 2000 and 2100")
    public static let statisticsYearNotOver = invalidArgument(
        field: "year", zh: "只能公开已结束年度的数据", en: "only a finished year's figures can be published")

    public static func statisticsAlreadyPublished(_ year: Int) -> DomainError {
        DomainError(
            .alreadyExists, zh: "\(year) 年度数据已公开；如有错误请更正", en: "the figures of \(year) are already published; correct them instead")
    }
}

/// Items of the power list, and its CSV form.
extension DomainError {
    public static func unknownPowerCategory(_ text: String) -> DomainError {
        invalidArgument(field: "category", zh: "未知职权类别「\(text)」", en: "unknown power category \"\(text)\"")
    }

    public static func itemCodeInvalid(_ code: String) -> DomainError {
        DomainError(
            .invalidArgument, zh: "事项编码须为 2 至 32 位大写字母、数字或 -：\(code)", en: "an item code has 2 to 32 capital letters, digits or -: \"\(code)\"",
            metadata: ["field": "code"])
    }

    /// What is wrong with the item `code` of a power list.
    public enum PowerItemFlaw: Sendable {
        case textLength(field: String, label: String, limit: Int)
        case tooFewOfficers(categoryZH: String, category: String, floor: Int)
        case disclosureDeadlineMissing
        case disclosureDeadlineUnpublished
    }

    public static func powerItemInvalid(_ code: String, _ flaw: PowerItemFlaw) -> DomainError {
        let (field, zh, en): (String, String, String) =
            switch flaw {
            case .textLength(let field, let label, let limit): (field, "\(label)须为 1 至 \(limit) 字", "\(field) must have 1 to \(limit) characters")
            case .tooFewOfficers(let categoryZH, let category, let floor):
                (
                    "min_officers", "\(categoryZH)事项每次执法至少 \(floor) 名执法人员（至多 10 名）",
                    "a \(category) item needs at least \(floor) officers per act (at most 10)"
                )
            case .disclosureDeadlineMissing:
                ("disclosure", "公示的事项须规定 1 至 60 个工作日的公示期限", "a published item needs a disclosure deadline of 1 to 60 working days")
            case .disclosureDeadlineUnpublished: ("disclosure", "不公示的事项不设公示期限", "an item that is not published has no disclosure deadline")
            }
        return DomainError(.invalidArgument, zh: "事项 \(code)：\(zh)", en: "item \(code): \(en)", metadata: ["field": field, "code": code])
    }

    public static func itemCodeRepeated(_ code: String) -> DomainError {
        invalidArgument(field: "code", zh: "事项编码 \(code) 重复", en: "the item code \(code) appears twice")
    }

    public static let majorNotYesNoConditional = invalidArgument(
        field: "major", zh: "「是否重大」须为 yes、no 或 conditional", en: "major must be yes, no or conditional")
    public static let minimumOfficersNotWhole = invalidArgument(field: "min_officers", zh: "最少执法人数须为整数", en: "min_officers must be a whole number")
    public static let publishedNotYesNo = invalidArgument(field: "published", zh: "「是否公示」须为 yes 或 no", en: "published must be yes or no")
    public static let disclosureDeadlineUnreadable = invalidArgument(
        field: "disclosure", zh: "公示期限须为「N working days」或「statistics only」", en: "disclosure must be \"N working days\" or \"statistics only\"")

    /// What is wrong with a line of a power list CSV file.
    public enum CSVFlaw: Sendable {
        case empty
        case header(expected: String)
        case fieldCount(expected: Int, found: Int)
        case unclosedQuote
    }

    public static func powerListCSV(line: Int, _ flaw: CSVFlaw) -> DomainError {
        let (zh, en): (String, String) =
            switch flaw {
            case .empty: ("文件为空", "the file is empty")
            case .header(let expected): ("表头须为 \(expected)", "the header must be \(expected)")
            case .fieldCount(let expected, let found): ("应有 \(expected) 列，实有 \(found) 列", "expected \(expected) fields, found \(found)")
            case .unclosedQuote: ("引号未闭合", "a quoted field is not closed")
            }
        return DomainError(.invalidArgument, zh: "第 \(line) 行：\(zh)", en: "line \(line): \(en)", metadata: ["line": String(line)])
    }

    /// `error`, found on `line` of a power list CSV file.
    public static func onCSVLine(_ line: Int, _ error: DomainError) -> DomainError {
        DomainError(
            error.reason, zh: "第 \(line) 行：\(error.messageZH)", en: "line \(line): \(error.messageEN)",
            metadata: error.metadata.merging(["line": String(line)]) { $1 })
    }
}
