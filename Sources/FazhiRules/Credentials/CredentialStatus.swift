/// A credential with its standing on the day it was read: whether it may act, and if not,
/// why. Reads like the credential itself.
@dynamicMemberLookup
public struct CredentialStatus: Sendable, Equatable {
    public var credential: Credential
    /// Nil when the credential is in force that day.
    public var standing: Authority.Refusal?

    public init(_ credential: Credential, on day: CalendarDay, rules: CredentialRules) {
        self.credential = credential
        self.standing = credential.standing(on: day, rules: rules)
    }

    public subscript<T>(dynamicMember keyPath: KeyPath<Credential, T>) -> T { credential[keyPath: keyPath] }
}
