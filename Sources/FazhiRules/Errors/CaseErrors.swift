/// The catalogue of errors: enforcement cases.
extension DomainError {
    public static let caseClosed = DomainError(.failedPrecondition, zh: "案件已结案", en: "the case is closed")
    public static let caseChangedMeanwhile = DomainError(.failedPrecondition, zh: "案件已被他人修改，请重试", en: "the case changed meanwhile; try again")
    public static let correctionTextMissing = invalidArgument(field: "text", zh: "须写明更正内容", en: "say what the correction is")
    public static let recordTextTooLong = invalidArgument(field: "text", zh: "记录内容至多 10000 字", en: "the record text has at most 10000 characters")
    public static let evidenceStepMissing = invalidArgument(field: "step", zh: "须注明证据所属步骤", en: "name the step the evidence belongs to")
    public static let tooManyFindings = invalidArgument(field: "findings", zh: "一次至多 200 项", en: "at most 200 findings at once")
    public static let noEvidenceStore = DomainError(
        .failedPrecondition, zh: "本服务器未配置证据存储", en: "this server has no evidence store configured (evidence.directory)")

    /// 法无授权不可为: no act without an item of the power list in force.
    public static func itemNotInPowerList(_ code: String) -> DomainError {
        DomainError(
            .failedPrecondition, zh: "现行权责清单中没有事项 \(code)（法无授权不可为）",
            en: "the power list in force has no item \(code): no act without a published power", metadata: ["field": "item_code"])
    }

    public static func areaOutsideJurisdiction(_ area: String) -> DomainError {
        invalidArgument(field: "area", zh: "案件区域 \(area) 不在本机构辖区内", en: "the area \(area) lies outside the agency's jurisdiction")
    }

    public static func notOnChecklist(_ code: String) -> DomainError {
        invalidArgument(field: "findings", zh: "检查清单中没有 \(code)", en: "the checklist has no item \(code)")
    }

    /// An amount of money that is not a non-negative yuan figure with at most two decimals.
    public static func invalidAmount(field: String) -> DomainError {
        invalidArgument(
            field: field, zh: "金额须为不超过一万亿元、最多两位小数的非负数，如 5000.00",
            en: "\(field) must be a non-negative amount below a trillion yuan with at most two decimals, such as 5000.00")
    }
}

/// Evidence files.
extension DomainError {
    public static func evidenceTooLarge(limit: Int) -> DomainError {
        DomainError(
            .invalidArgument, zh: "证据文件超过 \(limit) 字节的上限", en: "the evidence file exceeds the limit of \(limit) bytes",
            metadata: ["field": "data", "limit": String(limit)])
    }

    public static func evidenceHashMismatch(actual: String) -> DomainError {
        DomainError(
            .invalidArgument, zh: "证据文件的 SHA-256 与声明的不符", en: "the evidence file's SHA-256 is not the one declared",
            metadata: ["field": "sha256", "actual": actual])
    }

    /// The demonstration data loads only into an agency without cases.
    public static func demoNeedsEmptyAgency(_ code: String) -> DomainError {
        DomainError(
            .failedPrecondition, zh: "机构 \(code) 已有案件，演示数据只能载入空机构",
            en: "the agency \(code) already has cases; the demo loads only into an agency without")
    }
}
