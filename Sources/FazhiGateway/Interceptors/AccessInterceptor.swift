import FazhiRules
import GRPCCore

/// Asks the access table (`AccessTable`) whether the caller's roles may call the method;
/// a method missing from the table is denied.
struct AccessInterceptor: ServerInterceptor {
    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let call = CallScope.call
        switch AccessTable.decide(method: call.method, roles: call.caller?.roles) {
        case .allowed:
            return try await next(request, context)
        case .needsSignIn:
            throw DomainError.signInFirst
        case .denied:
            throw DomainError.rolesDoNotAllow(method: call.method)
        case .unknownMethod:
            throw DomainError.methodNotInAccessTable(call.method)
        }
    }
}
