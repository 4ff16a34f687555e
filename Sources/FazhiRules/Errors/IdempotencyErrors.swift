/// The catalogue of errors: calls sent with an `idempotency-key`.
extension DomainError {
    public static let idempotencyKeyInvalid = invalidArgument(
        field: "idempotency-key", zh: "幂等键须为 1–128 个可见 ASCII 字符", en: "an idempotency-key has 1 to 128 printable ASCII characters")
    public static let idempotencyKeyReused = DomainError(
        .idempotencyKeyReused, zh: "该幂等键已用于另一个请求", en: "this idempotency-key was used for a different request")
    public static let idempotencyKeyInUse = DomainError(
        .idempotencyKeyInUse, zh: "使用该幂等键的请求仍在处理中，请稍后重试", en: "a call with this idempotency-key is still running; retry later")
    public static let idempotencyOutcomeLost = DomainError(
        .idempotencyOutcomeLost,
        zh: "使用该幂等键的请求已执行，但其结果未能保存；请查询当前状态，勿再重试",
        en: "the call with this idempotency-key was carried out, but its outcome was lost; read the current state instead of retrying")
    /// The lease ran out while the call was still acting and a retry took the key over.
    public static let idempotencyKeyTakenOver = DomainError(
        .idempotencyKeyInUse, zh: "该幂等键已由重试接管，本次请求未执行", en: "a retry took this idempotency-key over; this call did not act")
}
