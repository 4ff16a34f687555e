/// Who may call one RPC method, and what kind of call it is.
public struct MethodRule: Sendable, Equatable {
    public enum Callers: Sendable, Equatable {
        /// Anyone, without signing in (the public, health checkers, sign-in itself).
        case everyone
        /// Any signed-in user of any role.
        case signedIn
        /// Signed-in users holding at least one of these roles.
        case roles(Set<Role>)
    }

    public enum Kind: Sendable, Equatable {
        /// Changes nothing.
        case read
        /// Changes state; accepts an idempotency key.
        case change
        /// Sign-in, sign-out and password changes: change state but stay outside
        /// idempotency, so no stored outcome ever holds a secret.
        case session
        /// Changes state from a stream of request messages (an evidence upload): outside
        /// idempotency keys, and idempotent by content instead (the same file for the same
        /// step of a case is one record entry however often it is sent).
        case upload
    }

    public var callers: Callers
    public var kind: Kind

    public init(_ callers: Callers, _ kind: Kind) {
        self.callers = callers
        self.kind = kind
    }

    public static func everyone(_ kind: Kind) -> MethodRule { MethodRule(.everyone, kind) }
    public static func signedIn(_ kind: Kind) -> MethodRule { MethodRule(.signedIn, kind) }
    public static func roles(_ roles: Role..., kind: Kind) -> MethodRule { MethodRule(.roles(Set(roles)), kind) }
}
