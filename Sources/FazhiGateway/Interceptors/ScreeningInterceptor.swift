import GRPCCore
import SwiftProtobuf

/// Checks each request message with `RequestScreen` as the handler reads it (NUL,
/// over-long text, far timestamps), so a refusal is thrown inside the call, mapped and
/// audited like any other.
struct ScreeningInterceptor: ServerInterceptor {
    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        var screened = request
        screened.messages = RPCAsyncSequence(
            wrapping: request.messages.map { @Sendable message in
                if let message = message as? any SwiftProtobuf.Message { try RequestScreen.check(message) }
                return message
            })
        return try await next(screened, context)
    }
}
