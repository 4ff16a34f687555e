/// The catalogue of errors: officers, credentials and client certificates.
extension DomainError {
    public static let credentialChangedMeanwhile = DomainError(
        .failedPrecondition, zh: "证件已被他人修改，请重试", en: "the credential changed meanwhile; try again")
    public static let noExamOnRecord = DomainError(
        .failedPrecondition, zh: "该执法人员没有资格考试成绩", en: "the officer has no qualification exam on record", metadata: ["field": "exam"])
    public static let numberedEventsHaveTheirOwnCalls = invalidArgument(
        field: "event", zh: "发证、换发、补发须经编号分配", en: "issuing, renewing and replacing draw a number: use their own calls")
    public static let categoriesMissing = invalidArgument(field: "categories", zh: "须至少列明一个执法类别", en: "name at least one enforcement category")
    public static let categoriesTooMany = invalidArgument(
        field: "categories", zh: "执法类别至多 20 个，每个 1 至 50 字", en: "at most 20 categories of 1 to 50 characters each")
    public static let reasonRequired = invalidArgument(field: "reason", zh: "须填写 1 至 500 字的理由", en: "give a reason of 1 to 500 characters")
    public static let credentialNotIssued = DomainError(.failedPrecondition, zh: "证件尚未发放", en: "the credential is not issued")
    public static let examScoreOutOfRange = invalidArgument(field: "score", zh: "考试成绩须在 0 至 100 之间", en: "the score must be between 0 and 100")
    public static let examDayInFuture = invalidArgument(field: "day", zh: "考试日期不能晚于今天", en: "the exam day cannot be in the future")
    public static let reviewYearOutOfRange = invalidArgument(
        field: "year", zh: "年度须在 2000 年至今年之间", en: "the year must be between 2000 and this year")
    public static let trainingHoursOutOfRange = invalidArgument(field: "hours", zh: "培训学时须在 0 至 2000 之间", en: "hours must be between 0 and 2000")
    public static let csrNotPEM = invalidArgument(
        field: "csr_pem", zh: "证书签名请求须为 PEM 格式的 PKCS #10", en: "csr_pem must be a PEM-encoded PKCS #10 request")
    public static let csrSignatureInvalid = invalidArgument(field: "csr_pem", zh: "证书签名请求的签名无效", en: "the CSR's signature does not verify")
    public static let noCAKeyForAgency = DomainError(
        .failedPrecondition, zh: "本服务器未配置该机构的 CA 私钥，不能签发客户端证书",
        en: "this server holds no CA key for the agency and cannot sign client certificates")

    public static func credentialNotInForceForCertificate(_ refusal: Authority.Refusal) -> DomainError {
        DomainError(
            .failedPrecondition, zh: "\(refusal.label.zh)，不能签发客户端证书", en: "\(refusal.label.en); no certificate is issued",
            metadata: ["refusal": refusal.rawValue])
    }

    public static func onlyIssuedCredentialHasCode(state: Credential.State) -> DomainError {
        DomainError(
            .failedPrecondition, zh: "只有已发放的证件才有亮证码（该证件：\(state.label.zh)）",
            en: "only an issued credential has a verification code (this one: \(state.label.en))", metadata: ["state": state.rawValue])
    }

    /// An officer's text field (`label` its Chinese name) outside 1 to 100 characters.
    public static func officerTextLength(field: String, label: String) -> DomainError {
        invalidArgument(field: field, zh: "\(label)须为 1 至 100 字", en: "\(field) must have 1 to 100 characters")
    }
}
