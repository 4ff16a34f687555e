import FazhiUseCases
import Foundation
import GRPCCore
import Logging

/// Every call passes through these, in this order (the first sees the request first and
/// the response last). Each has one concern; they share the call in progress through
/// `CallScope`, which the second opens.
enum ServerInterceptorChain {
    static func interceptors(
        identity: IdentityWork, certificates: ClientCertificateIdentity?, audit: AuditWriter, idempotency: IdempotentCall,
        clientAddress: ClientAddress, logger: Logger, clock: @escaping @Sendable () -> Date, executor: (@Sendable () -> any TaskExecutor)?
    ) -> [any ServerInterceptor] {
        [
            ExecutorInterceptor(executor: executor),
            CallScopeInterceptor(clientAddress: clientAddress),
            ObservabilityInterceptor(logger: logger),
            AuditInterceptor(audit: audit, logger: logger, clock: clock),
            AuthenticationInterceptor(identity: identity, certificates: certificates, clock: clock),
            AccessInterceptor(),
            ScreeningInterceptor(),
            IdempotencyInterceptor(idempotency: idempotency),
        ]
    }
}

extension StreamingServerResponse {
    /// The response with its producer (where a streaming method's handler runs, after the
    /// interceptors have returned) wrapped; a failed response is left as it is.
    func wrappingProducer(
        _ wrap: @escaping @Sendable (@escaping @Sendable (RPCWriter<Message>) async throws -> Metadata, RPCWriter<Message>) async throws -> Metadata
    ) -> Self {
        guard case .success(var contents) = accepted else { return self }
        let producer = contents.producer
        contents.producer = { writer in try await wrap(producer, writer) }
        return StreamingServerResponse(accepted: .success(contents))
    }
}
