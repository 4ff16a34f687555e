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
            throw DomainError(.authenticationRequired, zh: "请先登录", en: "sign in first")
        case .denied:
            throw DomainError(.permissionDenied, zh: "无权执行此操作", en: "your roles do not allow this call", metadata: ["method": call.method])
        case .unknownMethod:
            throw DomainError(
                .permissionDenied, zh: "此方法未列入访问控制表，拒绝调用", en: "this method is not in the access table and is denied",
                metadata: ["method": call.method])
        }
    }
}
