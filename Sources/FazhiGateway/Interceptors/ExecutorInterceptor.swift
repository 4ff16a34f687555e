import GRPCCore

/// Runs the call where the composition root says: on the database's event loops, so a
/// call's statements resume it without a thread hand-off. Nil: the default pool.
struct ExecutorInterceptor: ServerInterceptor {
    let executor: (@Sendable () -> any TaskExecutor)?

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard let executor else { return try await next(request, context) }
        return try await withTaskExecutorPreference(executor()) { try await next(request, context) }
    }
}
