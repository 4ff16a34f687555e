import FazhiRules
import Foundation
import GRPCCore
import Logging
import Metrics

/// Counts and times every call by method and status, and logs one line per call with what
/// its audit row holds (never a secret), once the call has ended (a stream, when its last
/// message is sent).
struct ObservabilityInterceptor: ServerInterceptor {
    let logger: Logger

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let call = CallScope.call
        let response: StreamingServerResponse<Output>
        do {
            response = try await next(request, context)
        } catch {
            observe(call, error: error)
            throw error
        }
        if case .failure(let error) = response.accepted {
            observe(call, error: error)
            return response
        }
        return response.wrappingProducer { producer, writer in
            do {
                let trailers = try await producer(writer)
                observe(call, error: nil)
                return trailers
            } catch {
                observe(call, error: error)
                throw error
            }
        }
    }

    private func observe(_ call: CallAudit, error: (any Error)?) {
        // The audit interceptor below records how the call ended; without it, the error's code.
        let record =
            call.ended ?? call.record(status: (error as? RPCError)?.code.auditName ?? (error == nil ? "OK" : "UNKNOWN"), reason: nil, now: Date())
        Counter(label: "fazhi_rpc_calls_total", dimensions: [("method", record.method), ("status", record.status)]).increment()
        Metrics.Timer(label: "fazhi_rpc_duration_seconds", dimensions: [("method", record.method), ("status", record.status)])
            .recordMicroseconds(record.durationMicroseconds)
        logger.debug(
            "call",
            metadata: [
                "method": "\(record.method)", "status": "\(record.status)", "reason": "\(record.reason ?? "")",
                "agency": "\(record.agencyCode ?? "")", "user": "\(record.username ?? "")", "peer": "\(record.peer)",
                "request_id": "\(record.requestID)", "duration_us": "\(record.durationMicroseconds)",
            ])
    }
}
