import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import GRPCProtobuf
import Logging

/// Turns what a call threw into what the client may see: a domain error becomes a gRPC
/// status with a stable reason (`ErrorInfo`, domain "fazhi") and messages in Chinese and
/// English (`LocalizedMessage`); anything else becomes INTERNAL with an incident id that
/// the operator finds in the log, never the internals themselves.
enum ErrorMapping {
    static let domain = "fazhi"

    static func status(for reason: DomainError.Reason) -> RPCError.Code {
        switch reason {
        case .authenticationRequired, .invalidCredentials, .accountLocked, .sessionExpired, .credentialNotInForce: return .unauthenticated
        case .permissionDenied: return .permissionDenied
        case .invalidArgument, .passwordPolicy: return .invalidArgument
        case .notFound: return .notFound
        case .alreadyExists: return .alreadyExists
        case .idempotencyKeyReused, .idempotencyOutcomeLost, .failedPrecondition: return .failedPrecondition
        case .idempotencyKeyInUse: return .aborted
        case .resourceExhausted: return .resourceExhausted
        }
    }

    static func rpcError(_ error: DomainError) -> RPCError {
        RPCError(
            GoogleRPCStatus(
                code: status(for: error.reason),
                message: error.messageEN,
                details: [
                    .errorInfo(reason: error.reason.rawValue, domain: domain, metadata: error.metadata),
                    .localizedMessage(locale: "zh-CN", message: error.messageZH),
                    .localizedMessage(locale: "en", message: error.messageEN),
                ]))
    }

    static func internalError(incident: String) -> RPCError {
        RPCError(
            GoogleRPCStatus(
                code: .internalError,
                message: "internal error; incident \(incident)",
                details: [
                    .errorInfo(reason: "INTERNAL", domain: domain, metadata: ["incident": incident]),
                    .localizedMessage(locale: "zh-CN", message: "服务器内部错误，事件编号 \(incident)"),
                    .localizedMessage(locale: "en", message: "internal error; incident \(incident)"),
                ]))
    }

    /// How long a client should wait before retrying an UNAVAILABLE call.
    static let retryDelay = Duration.seconds(1)

    static func unavailable() -> RPCError {
        RPCError(
            GoogleRPCStatus(
                code: .unavailable,
                message: "the service is unavailable; retry later",
                details: [
                    .errorInfo(reason: "UNAVAILABLE", domain: domain, metadata: ["retry_after_ms": "\(retryDelay.components.seconds * 1000)"]),
                    .retryInfo(delay: retryDelay),
                    .localizedMessage(locale: "zh-CN", message: "服务暂不可用（数据库暂时无法访问），请稍后重试"),
                    .localizedMessage(locale: "en", message: "the service is unavailable (the database cannot be reached right now); retry later"),
                ]))
    }

    /// The status and reason for the audit row, and the error for the client.
    static func classify(_ error: any Error, logger: Logger, method: String, requestID: String) -> (error: RPCError, reason: String?) {
        switch error {
        case let domain as DomainError:
            return (rpcError(domain), domain.reason.rawValue)
        case let rpc as RPCError:
            // Raised by the transport or the library (a cancelled call, a malformed message).
            return (rpc, nil)
        case is CancellationError:
            return (RPCError(code: .cancelled, message: "the call was cancelled"), nil)
        case let outage as any OutageError where outage.isOutage:
            logger.warning(
                "database unreachable", metadata: ["method": "\(method)", "request_id": "\(requestID)", "error": "\(String(reflecting: error))"])
            return (unavailable(), "UNAVAILABLE")
        default:
            let incident = UUID().uuidString.lowercased()
            logger.error(
                "call failed unexpectedly",
                metadata: [
                    "incident": "\(incident)", "method": "\(method)", "request_id": "\(requestID)", "error": "\(String(reflecting: error))",
                ])
            return (internalError(incident: incident), "INTERNAL:\(incident)")
        }
    }
}

extension RPCError.Code {
    /// The gRPC name of the code, as the audit log keeps it.
    var auditName: String {
        switch self {
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internalError: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        default: "UNKNOWN"
        }
    }
}
