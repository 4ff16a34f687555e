import FazhiRules
import Foundation
import GRPCCore

/// Opens the call in progress (`CallAudit`: the method, where it came from, its request id
/// and its clock) and keeps it in `CallScope` for everything below, a streaming method's
/// handler included.
struct CallScopeInterceptor: ServerInterceptor {
    /// Where calls come from, through trusted proxies.
    let clientAddress: ClientAddress

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let started = ContinuousClock.now
        let call = CallAudit(
            method: "\(context.descriptor.service.fullyQualifiedService)/\(context.descriptor.method)",
            peer: clientAddress.of(peer: context.remotePeer, metadata: request.metadata), requestID: Self.requestID(from: request.metadata)
        ) {
            let elapsed = ContinuousClock.now - started
            return elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        }
        let response = try await CallScope.$current.withValue(call) { try await next(request, context) }
        return response.wrappingProducer { producer, writer in
            try await CallScope.$current.withValue(call) { try await producer(writer) }
        }
    }

    /// The client's `x-request-id` when it sent a sane one, otherwise a new id.
    static func requestID(from metadata: Metadata) -> String {
        for value in metadata["x-request-id"] {
            if case .string(let text) = value, (1...64).contains(text.count),
                text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            {
                return text
            }
        }
        return UUID().uuidString.lowercased()
    }
}
