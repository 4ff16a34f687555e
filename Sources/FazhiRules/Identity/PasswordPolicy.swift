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
            throw DomainError.passwordPolicy(.tooShort(minimum: minimumLength))
        }
        if password.count > 1024 {
            throw DomainError.passwordPolicy(.tooLong)
        }
        var classes = 0
        if password.contains(where: { $0.isLowercase }) { classes += 1 }
        if password.contains(where: { $0.isUppercase }) { classes += 1 }
        if password.contains(where: { $0.isNumber }) { classes += 1 }
        if password.contains(where: { !$0.isLetter && !$0.isNumber }) { classes += 1 }
        if classes < minimumCharacterClasses {
            throw DomainError.passwordPolicy(.tooFewKinds(minimum: minimumCharacterClasses))
        }
        if password.lowercased().contains(username.lowercased()) {
            throw DomainError.passwordPolicy(.containsUsername)
        }
    }

}
