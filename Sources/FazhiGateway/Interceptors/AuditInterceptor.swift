import FazhiRules
import FazhiUseCases
import Foundation
import GRPCCore
import Logging

/// Every call leaves exactly one audit row, refused and failed ones included: a change's
/// row commits with the change (its use case writes it); any other row is written here
/// when the call ends, in a transaction of its own. Here, too, every error becomes the
/// status the client sees (`ErrorMapping`); a row that cannot be written turns the call
/// into INTERNAL. Health checks are not audited: probes every few seconds would fill the
/// log. While the database cannot be reached the row goes to the server's log instead.
struct AuditInterceptor: ServerInterceptor {
    let audit: AuditWriter
    let logger: Logger
    let clock: @Sendable () -> Date

    static let unaudited: Set<String> = ["grpc.health.v1.Health/Check", "grpc.health.v1.Health/Watch"]

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let call = CallScope.call
        do {
            let response = try await next(request, context)
            if case .failure(let error) = response.accepted { throw Self.original(error) }
            // A streaming method's handler runs inside the producer, after this returns: the
            // call is audited when it ends.
            return response.wrappingProducer { producer, writer in
                do {
                    let trailers = try await producer(writer)
                    try await finish(call, status: "OK", reason: nil)
                    return trailers
                } catch {
                    throw await fail(call, error: error)
                }
            }
        } catch {
            return StreamingServerResponse(error: await fail(call, error: error))
        }
    }

    /// What an interceptor below threw: gRPC hands it up wrapped as UNKNOWN with the error as
    /// its cause (`ServerRPCExecutor`), and the mapping needs the error itself.
    static func original(_ error: RPCError) -> any Error {
        if error.code == .unknown, let cause = error.cause { return cause }
        return error
    }

    /// Writes the call's row, unless its use case did.
    private func finish(_ call: CallAudit, status: String, reason: String?) async throws {
        let record = call.record(status: status, reason: reason, now: clock())
        call.end(with: record)
        guard !call.isWritten, !Self.unaudited.contains(call.method) else { return }
        do {
            try await audit.write(record)
        } catch let outage as any OutageError where outage.isOutage {
            logUnwritten(record, error: outage)
        }
    }

    /// The error to send for a failed call, after auditing it.
    private func fail(_ call: CallAudit, error: any Error) async -> RPCError {
        let (rpcError, reason) = ErrorMapping.classify(error, logger: logger, method: call.method, requestID: call.requestID)
        do {
            try await finish(call, status: rpcError.code.auditName, reason: reason)
        } catch {
            let incident = UUID().uuidString.lowercased()
            logger.error(
                "audit row could not be written",
                metadata: [
                    "incident": "\(incident)", "method": "\(call.method)", "request_id": "\(call.requestID)",
                    "error": "\(String(reflecting: error))",
                ])
            call.end(with: call.record(status: RPCError.Code.internalError.auditName, reason: nil, now: clock()))
            return ErrorMapping.internalError(incident: incident)
        }
        return rpcError
    }

    /// The audit row of a call made while the database was unreachable, whole, as a log line.
    private func logUnwritten(_ record: AuditRecord, error: any Error) {
        logger.warning(
            "audit row not written: database unreachable; the row follows",
            metadata: [
                "audit.at": "\(record.at.timeIntervalSince1970)", "audit.agency": "\(record.agencyCode ?? "")",
                "audit.user": "\(record.username ?? "")",
                "audit.roles": "\(record.roles.map(\.rawValue).joined(separator: ","))", "audit.method": "\(record.method)",
                "audit.targets": "\(record.targetIDs.joined(separator: ","))", "audit.status": "\(record.status)",
                "audit.reason": "\(record.reason ?? "")",
                "audit.peer": "\(record.peer)", "audit.request_id": "\(record.requestID)", "audit.duration_us": "\(record.durationMicroseconds)",
                "error": "\(String(reflecting: error))",
            ])
    }
}
