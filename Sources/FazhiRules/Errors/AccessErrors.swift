/// The catalogue of errors: signing in, and who may do what.
extension DomainError {
    public static let signInFirst = DomainError(.authenticationRequired, zh: "请先登录", en: "sign in first")
    public static let tokenNotValid = DomainError(.authenticationRequired, zh: "令牌无效，请登录", en: "the token is not valid; sign in")
    public static let sessionEnded = DomainError(.sessionExpired, zh: "登录已失效，请重新登录", en: "the session has ended; sign in again")
    public static let wrongSignIn = DomainError(
        .invalidCredentials, zh: "机构代码、用户名或密码不正确", en: "wrong agency code, username or password")
    public static let wrongCurrentPassword = DomainError(
        .invalidCredentials, zh: "当前密码不正确", en: "the current password is wrong", metadata: ["field": "current_password"])

    /// Too many failed sign-ins: the name is locked until `until` (`minutes` from now).
    public static func accountLocked(untilISO8601 until: String, minutes: Int) -> DomainError {
        DomainError(
            .accountLocked,
            zh: "登录失败次数过多，该用户名已被暂时锁定，请稍后再试", en: "too many failed sign-ins; this name is locked for a while, try again later",
            metadata: ["locked_until": until, "retry_after_minutes": String(minutes)])
    }

    public static let certificateAgencyUnknown = DomainError(
        .authenticationRequired, zh: "证书所属机构不存在", en: "the certificate names an unknown agency")
    public static let certificateUserUnknown = DomainError(
        .authenticationRequired, zh: "证书对应的用户不存在或已停用", en: "the certificate's user does not exist or is disabled")
    public static let certificateCredentialUnknown = DomainError(
        .authenticationRequired, zh: "证书对应的执法证不存在", en: "the certificate's credential does not exist")
    public static let credentialHolderHasNoAccount = DomainError(
        .authenticationRequired, zh: "执法证持证人没有可用的用户账户", en: "the credential's holder has no enabled user account")

    public static func certificateCredentialNotInForce(_ refusal: Authority.Refusal) -> DomainError {
        DomainError(
            .credentialNotInForce, zh: "证书对应的执法证当前不可用：\(refusal.label.zh)",
            en: "the certificate's credential is not in force: \(refusal.label.en)", metadata: ["refusal": refusal.rawValue])
    }

    /// The access table does not let the caller's roles make this call.
    public static func rolesDoNotAllow(method: String) -> DomainError {
        DomainError(.permissionDenied, zh: "无权执行此操作", en: "your roles do not allow this call", metadata: ["method": method])
    }

    /// A method missing from the access table is refused (deny by default).
    public static func methodNotInAccessTable(_ method: String) -> DomainError {
        DomainError(
            .permissionDenied, zh: "此方法未列入访问控制表，拒绝调用", en: "this method is not in the access table and is denied",
            metadata: ["method": method])
    }

    public static func needsRole(_ role: String) -> DomainError {
        DomainError(.permissionDenied, zh: "此操作需要 \(role) 角色", en: "this needs the \(role) role", metadata: ["role": role])
    }

    public static let platformAuditOnly = DomainError(
        .permissionDenied, zh: "只有平台管理员可以查看平台审计日志", en: "only platform administrators read the platform audit log")
    public static let notAnActingOfficer = DomainError(
        .permissionDenied, zh: "您的账户未关联执法人员，不能执法", en: "your account is not linked to an officer; you cannot act")
    public static let ownRecordOnly = DomainError(
        .permissionDenied, zh: "执法人员只能查看本人的记录", en: "an officer may read only their own record")
    public static let ownCertificateOnly = DomainError(
        .permissionDenied, zh: "只能为本人的证件申请客户端证书", en: "a client certificate is issued only for your own credential")
    public static let cannotRevokeOwnAdmin = DomainError(
        .failedPrecondition, zh: "不能撤销自己的管理员角色", en: "you cannot take away your own administrator role")
    public static let cannotDisableSelf = DomainError(.failedPrecondition, zh: "不能停用自己的账户", en: "you cannot disable your own account")
    public static let platformAdminOnlyInPlatform = invalidArgument(
        field: "roles", zh: "platform_admin 只能授予平台机构的用户", en: "platform_admin exists only in the platform agency")
}
