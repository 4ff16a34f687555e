import FazhiRules
import GRPCCore

/// A change sent with an `idempotency-key` runs at most once for its caller and key; a
/// retry gets the first run's outcome (`IdempotentCall`). Everything else passes through.
struct IdempotencyInterceptor: ServerInterceptor {
    let idempotency: IdempotentCall

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let call = CallScope.call
        guard AccessTable.rules[call.method]?.kind == .change, let caller = call.caller, let key = IdempotentCall.key(in: request.metadata) else {
            return try await next(request, context)
        }
        return try await idempotency.run(key: key, call: call, caller: caller, request: request, context: context, next: next)
    }
}
