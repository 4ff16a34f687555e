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
            throw DomainError.invalidArgument(
                field: "idempotency-key",
                zh: "幂等键须为 1–128 个可见 ASCII 字符", en: "an idempotency-key has 1 to 128 printable ASCII characters")
        }
    }

    public static let reused = DomainError(
        .idempotencyKeyReused,
        zh: "该幂等键已用于另一个请求", en: "this idempotency-key was used for a different request")
    public static let inUse = DomainError(
        .idempotencyKeyInUse,
        zh: "使用该幂等键的请求仍在处理中，请稍后重试", en: "a call with this idempotency-key is still running; retry later")
    public static let lost = DomainError(
        .idempotencyOutcomeLost,
        zh: "使用该幂等键的请求已执行，但其结果未能保存；请查询当前状态，勿再重试",
        en: "the call with this idempotency-key was carried out, but its outcome was lost; read the current state instead of retrying")
    /// The lease ran out while the call was still acting and a retry took the key over.
    public static let takenOver = DomainError(
        .idempotencyKeyInUse,
        zh: "该幂等键已由重试接管，本次请求未执行", en: "a retry took this idempotency-key over; this call did not act")
}
