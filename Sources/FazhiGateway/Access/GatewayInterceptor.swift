import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Metrics
import SwiftProtobuf

/// Runs before every method, in one place: proves who is calling (a bearer token, or the
/// client certificate on the mutual-TLS port), checks the access table, runs the method,
/// maps its errors, and makes sure the call leaves exactly one audit row.
struct GatewayInterceptor: ServerInterceptor {
    let identity: IdentityWork
    let certificates: ClientCertificateIdentity?
    let audit: AuditWriter
    let idempotency: IdempotentCall
    /// Where calls come from, through trusted proxies.
    let clientAddress: ClientAddress
    let logger: Logger
    let clock: @Sendable () -> Date
    /// Where a call's work runs: the composition root passes the database's event loops,
    /// so a call's statements resume it without a thread hand-off. Nil: the default pool.
    let executor: (@Sendable () -> any TaskExecutor)?

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard let executor else { return try await run(request: request, context: context, next: next) }
        return try await withTaskExecutorPreference(executor()) {
            try await run(request: request, context: context, next: next)
        }
    }

    private func run<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let started = ContinuousClock.now
        let method = "\(context.descriptor.service.fullyQualifiedService)/\(context.descriptor.method)"
        let requestID = Self.requestID(from: request.metadata)
        let call = CallAudit(method: method, peer: clientAddress.of(peer: context.remotePeer, metadata: request.metadata), requestID: requestID) {
            let elapsed = ContinuousClock.now - started
            return elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        }
        do {
            if let certificates {
                call.identify(try await certificates.caller(context: context, call: call, now: clock()))
            } else if let token = Self.bearerToken(in: request.metadata) {
                call.identify(try await identity.authenticate(token: token, call: call, now: clock()))
            }
            switch AccessTable.decide(method: method, roles: call.caller?.roles) {
            case .allowed:
                break
            case .needsSignIn:
                throw DomainError(.authenticationRequired, zh: "请先登录", en: "sign in first")
            case .denied:
                throw DomainError(.permissionDenied, zh: "无权执行此操作", en: "your roles do not allow this call", metadata: ["method": method])
            case .unknownMethod:
                throw DomainError(
                    .permissionDenied, zh: "此方法未列入访问控制表，拒绝调用", en: "this method is not in the access table and is denied",
                    metadata: ["method": method])
            }
            let request = Self.screened(request)
            let response = try await CallScope.$current.withValue(call) {
                if AccessTable.rules[method]?.kind == .change, let caller = call.caller, let key = IdempotentCall.key(in: request.metadata) {
                    return try await idempotency.run(key: key, caller: caller, method: method, request: request, context: context, next: next)
                }
                return try await next(request, context)
            }
            switch response.accepted {
            case .failure(let error):
                throw error
            case .success(var contents):
                // A streaming method's handler runs inside the producer, after this returns:
                // it runs in the call's scope too, and the call is audited when it ends.
                let producer = contents.producer
                contents.producer = { writer in
                    do {
                        let trailers = try await CallScope.$current.withValue(call) { try await producer(writer) }
                        try await finish(call, status: "OK", reason: nil)
                        return trailers
                    } catch {
                        throw await fail(call, error: error, method: method, requestID: requestID)
                    }
                }
                return StreamingServerResponse(accepted: .success(contents))
            }
        } catch {
            return StreamingServerResponse(error: await fail(call, error: error, method: method, requestID: requestID))
        }
    }

    /// Writes the call's audit row (unless its use case did) and its log line. Health
    /// checks are not audited: probes every few seconds would fill the log. While the
    /// database cannot be reached the row goes to the server's structured log instead.
    private func finish(_ call: CallAudit, status: String, reason: String?) async throws {
        let record = call.record(status: status, reason: reason, now: clock())
        if !call.isWritten, !Self.unaudited.contains(call.method) {
            do {
                try await audit.write(record)
            } catch let outage as any OutageError where outage.isOutage {
                logUnwritten(record, error: outage)
            }
        }
        log(record)
    }

    static let unaudited: Set<String> = ["grpc.health.v1.Health/Check", "grpc.health.v1.Health/Watch"]

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

    /// The error to send for a failed call, after auditing it; an audit row that cannot be
    /// written turns any outcome into INTERNAL.
    private func fail(_ call: CallAudit, error: any Error, method: String, requestID: String) async -> RPCError {
        let (rpcError, reason) = ErrorMapping.classify(error, logger: logger, method: method, requestID: requestID)
        do {
            try await finish(call, status: rpcError.code.auditName, reason: reason)
        } catch {
            return auditFailed(error, method: method, requestID: requestID)
        }
        return rpcError
    }

    /// One log line per call, with what the audit row holds (never a secret), and the
    /// call counted and timed by method and status.
    private func log(_ record: AuditRecord) {
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

    /// A call whose audit row cannot be written fails.
    private func auditFailed(_ error: any Error, method: String, requestID: String) -> RPCError {
        let incident = UUID().uuidString.lowercased()
        logger.error(
            "audit row could not be written",
            metadata: [
                "incident": "\(incident)", "method": "\(method)", "request_id": "\(requestID)", "error": "\(String(reflecting: error))",
            ])
        return ErrorMapping.internalError(incident: incident)
    }

    /// The request with each message checked by `RequestScreen` as the handler reads it, so
    /// a refusal is thrown inside the call, mapped and audited like any other.
    static func screened<Input: Sendable>(_ request: StreamingServerRequest<Input>) -> StreamingServerRequest<Input> {
        var screened = request
        screened.messages = RPCAsyncSequence(
            wrapping: request.messages.map { @Sendable message in
                if let message = message as? any SwiftProtobuf.Message { try RequestScreen.check(message) }
                return message
            })
        return screened
    }

    static func bearerToken(in metadata: Metadata) -> String? {
        for value in metadata["authorization"] {
            guard case .string(let text) = value else { continue }
            let parts = text.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
        }
        return nil
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
