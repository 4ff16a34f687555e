import Crypto
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import Logging
import SwiftProtobuf

/// A mutating call with an `idempotency-key`: the first call runs and its outcome (the
/// response, or a domain error) is kept; a retry with the same key and request gets that
/// outcome without running again, across restarts; the same key with another request is
/// refused; a retry while the first still runs gets ABORTED. A transient failure before
/// anything of the call committed keeps nothing, so a retry runs afresh. Once the call has
/// acted (each transaction written for the call marks the key, see `TransactionAccess`),
/// its key is never given back: if the outcome is unknown or cannot be kept, retries get
/// ABORTED until the key expires, rather than acting a second time.
struct IdempotentCall {
    let store: any TenantStore
    let clock: @Sendable () -> Date
    let logger: Logger
    let leases: LeaseRenewer

    init(store: any TenantStore, clock: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
        leases = LeaseRenewer(store: store, clock: clock, logger: logger)
    }

    static let header = "idempotency-key"

    static func key(in metadata: Metadata) -> String? {
        for value in metadata[header] {
            if case .string(let text) = value { return text }
        }
        return nil
    }

    func run<Input: Sendable, Output: Sendable>(
        key: String, call: CallAudit, caller: Caller,
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        try IdempotencyClaim.validate(key)
        let method = call.method
        guard let outputType = Output.self as? any SwiftProtobuf.Message.Type else {
            throw RPCError(code: .internalError, message: "\(method) does not answer with a protobuf message")
        }
        // Unary calls only carry a key: read the one request message, fingerprint it, pass it on.
        var messages = request.messages.makeAsyncIterator()
        guard let message = try await messages.next() else {
            throw RPCError(code: .invalidArgument, message: "no request message")
        }
        guard let protobuf = message as? any SwiftProtobuf.Message else {
            throw RPCError(code: .internalError, message: "\(method) takes no protobuf message")
        }
        var hasher = SHA256()
        hasher.update(data: Data(method.utf8))
        hasher.update(data: Data([0]))
        var deterministic = BinaryEncodingOptions()
        deterministic.useDeterministicOrdering = true
        hasher.update(data: try protobuf.serializedBytes(options: deterministic) as [UInt8])
        let fingerprint = Data(hasher.finalize())

        let now = clock()
        let token = UUID()
        let claim = try await store.claimIdempotencyKey(
            agency: caller.agency.id, userID: caller.userID, key: key, method: method, fingerprint: fingerprint, claim: token, now: now)
        switch claim {
        case .mismatch: throw DomainError.idempotencyKeyReused
        case .running: throw DomainError.idempotencyKeyInUse
        case .outcomeLost: throw DomainError.idempotencyOutcomeLost
        case .done(let status, let payload):
            if status == "OK" {
                let response = try outputType.init(serializedBytes: payload) as! Output
                return StreamingServerResponse(single: ServerResponse(message: response))
            }
            throw try JSONDecoder().decode(DomainError.self, from: payload)
        case .claimed:
            break
        }

        let output: Output
        let contents: StreamingServerResponse<Output>.Contents
        let trailers: Metadata
        do {
            // Each transaction the handler writes for this call marks the key as acted.
            let collector = Collector<Output>()
            // The lease is renewed while the call runs, so a retry knows a live call from a dead one.
            leases.hold(LeaseRenewer.Claim(agency: caller.agency.id, agencyCode: caller.agency.code, userID: caller.userID, key: key, token: token))
            defer { leases.release(token) }
            call.act(under: IdempotentAct(userID: caller.userID, key: key, claim: token))
            let response = try await next(StreamingServerRequest(single: ServerRequest(metadata: request.metadata, message: message)), context)
            contents = try response.accepted.get()
            trailers = try await contents.producer(RPCWriter(wrapping: collector))
            guard let first = collector.messages.first else {
                throw RPCError(code: .internalError, message: "\(method) produced no response")
            }
            output = first
        } catch let error as DomainError where error != DomainError.idempotencyKeyTakenOver {
            await keep(caller: caller, key: key, claim: token, method: method, status: "ERROR", payload: try JSONEncoder().encode(error))
            throw error
        } catch {
            // Nothing of the call committed (else the key is 'acted' and stays). If even the
            // release fails (the database is down), the lease runs out and frees the key.
            try? await store.transaction(agency: caller.agency.id, .write(for: nil)) { tx in
                try await tx.releaseIdempotencyKey(userID: caller.userID, key: key, claim: token)
            }
            throw error
        }
        // The call acted: from here on the key stays taken whatever happens.
        if let outputMessage = output as? any SwiftProtobuf.Message, let payload = try? outputMessage.serializedBytes() as Data {
            await keep(caller: caller, key: key, claim: token, method: method, status: "OK", payload: payload)
        } else {
            logger.error(
                "idempotent outcome not kept", metadata: ["method": "\(method)", "error": "the response is not a serializable protobuf message"])
        }
        return StreamingServerResponse(single: ServerResponse(message: output, metadata: contents.metadata, trailingMetadata: trailers))
    }

    /// Stores the outcome for retries. A failure here is logged and does not fail the call,
    /// which already acted; once the lease runs out, retries are told the outcome was lost.
    private func keep(caller: Caller, key: String, claim: UUID, method: String, status: String, payload: Data) async {
        do {
            try await store.transaction(agency: caller.agency.id, .write(for: nil)) { tx in
                try await tx.finishIdempotencyKey(userID: caller.userID, key: key, claim: claim, status: status, payload: payload)
            }
        } catch {
            // In an outage this is expected and the outage is reported on its own; otherwise it is a fault.
            let level: Logger.Level = (error as? any OutageError)?.isOutage == true ? .warning : .error
            logger.log(
                level: level, "idempotent outcome not kept; retries with this key will be told IDEMPOTENCY_OUTCOME_LOST",
                metadata: [
                    "method": "\(method)", "agency": "\(caller.agency.code)", "user": "\(caller.username)", "error": "\(String(reflecting: error))",
                ])
        }
    }
}

/// Keeps what a response producer writes.
private final class Collector<Element: Sendable>: RPCWriterProtocol, @unchecked Sendable {
    private let lock = NSLock()
    private var written: [Element] = []

    var messages: [Element] { lock.withLock { written } }
    func write(_ element: Element) async throws { lock.withLock { written.append(element) } }
    func write(contentsOf elements: some Sequence<Element>) async throws { lock.withLock { written.append(contentsOf: elements) } }
}
