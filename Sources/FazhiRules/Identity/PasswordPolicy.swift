/// The agency's password rules (settings `password.minimum_length` and
/// `password.minimum_character_classes`).
public struct PasswordPolicy: Sendable, Equatable {
    public var minimumLength: Int
    /// Of: lower-case letters, upper-case letters, digits, anything else.
    public var minimumCharacterClasses: Int

    public init(minimumLength: Int, minimumCharacterClasses: Int) {
        self.minimumLength = minimumLength
        self.minimumCharacterClasses = minimumCharacterClasses
    }

    public init(settings: AgencySettings) throws {
        self.init(
            minimumLength: try settings.integer("password.minimum_length"),
            minimumCharacterClasses: try settings.integer("password.minimum_character_classes"))
    }

    /// Throws `PASSWORD_POLICY` naming the rule broken.
    public func check(_ password: String, username: String) throws {
        if password.count < minimumLength {
            throw violation(zh: "密码至少需要 \(minimumLength) 个字符", en: "a password needs at least \(minimumLength) characters")
        }
        if password.count > 1024 {
            throw violation(zh: "密码不能超过 1024 个字符", en: "a password may have at most 1024 characters")
        }
        var classes = 0
        if password.contains(where: { $0.isLowercase }) { classes += 1 }
        if password.contains(where: { $0.isUppercase }) { classes += 1 }
        if password.contains(where: { $0.isNumber }) { classes += 1 }
        if password.contains(where: { !$0.isLetter && !$0.isNumber }) { classes += 1 }
        if classes < minimumCharacterClasses {
            throw violation(
                zh: "密码须包含至少 \(minimumCharacterClasses) 类字符（小写字母、大写字母、数字、符号）",
                en: "a password needs at least \(minimumCharacterClasses) kinds of characters (lower case, upper case, digits, symbols)")
        }
        if password.lowercased().contains(username.lowercased()) {
            throw violation(zh: "密码不能包含用户名", en: "a password may not contain the username")
        }
    }

    private func violation(zh: String, en: String) -> DomainError {
        DomainError(.passwordPolicy, zh: zh, en: en, metadata: ["field": "password"])
    }
}
