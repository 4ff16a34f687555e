import FazhiRules
import FazhiUseCases
import Foundation
import GRPCCore

/// Proves who is calling: the client certificate on the mutual-TLS port, otherwise a
/// bearer token when one is sent. A call without either goes on unidentified (the access
/// table lets only public methods through then); a bad proof stops it.
struct AuthenticationInterceptor: ServerInterceptor {
    let identity: IdentityWork
    let certificates: ClientCertificateIdentity?
    let clock: @Sendable () -> Date

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let call = CallScope.call
        if let certificates {
            call.identify(try await certificates.caller(context: context, call: call, now: clock()))
        } else if let token = Self.bearerToken(in: request.metadata) {
            call.identify(try await identity.authenticate(token: token, call: call, now: clock()))
        }
        return try await next(request, context)
    }

    static func bearerToken(in metadata: Metadata) -> String? {
        for value in metadata["authorization"] {
            guard case .string(let text) = value else { continue }
            let parts = text.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
