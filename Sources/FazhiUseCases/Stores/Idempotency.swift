import FazhiRules
import Foundation

/// What a mutating call's `idempotency-key` found: nothing yet (the call may run), the
/// same call still running, its first outcome, the key taken by a different request, or a
/// call that acted but whose outcome was lost (its server died before keeping it).
public enum IdempotencyClaim: Sendable, Equatable {
    case claimed
    case running
    case done(status: String, payload: Data)
    case mismatch
    case outcomeLost

    /// A claim is a lease: the server whose call holds it renews it every `renewal`; one
    /// not renewed for `lease` (its server died, or could not reach the database) is over.
    /// Short, so that retries after a crash run within seconds; most calls end long before
    /// their first renewal.
    public static let lease: Duration = .seconds(10)
    public static let renewal: Duration = .seconds(3)

    /// Keys are 1 to 128 printable ASCII characters.
    public static func validate(_ key: String) throws {
        guard (1...128).contains(key.utf8.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace && ($0.asciiValue ?? 0) >= 0x21 }) else {
            throw DomainError.idempotencyKeyInvalid
        }
    }
}
