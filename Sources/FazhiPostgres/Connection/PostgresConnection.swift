import CLibPQ
import Foundation
import Synchronization

/// One libpq connection.
///
/// libpq runs in non-blocking mode: a statement is sent from the calling task, which then
/// suspends on its `Reactor` until the server answers, so no blocking libpq call
/// ever occupies a thread of Swift's cooperative pool. Statements are prepared once per
/// connection and reused. Cancelling the calling task sends a cancel request to the server
/// for the statement in flight; the statement then fails with `queryCanceled`.
///
/// A statement runs on its caller's executor (`nonisolated(nonsending)`): a connection is
/// used by one task at a time, so an actor's queue bought nothing but a hop onto it and
/// back on every statement, a quarter of the client's time on a point query. What state the
/// connection keeps sits in a `Mutex`, and libpq itself is touched only by the operation
/// that claimed the connection (`claim` … `release`), one at a time as the protocol
/// requires; a second concurrent use fails with a clear error instead of interleaving.
///
/// The connection's state and its rules are `ConnectionState` (no I/O); this file keeps
/// the lifecycle and the statements, `LibPQExchange.swift` the I/O, `LibPQErrors.swift`
/// the errors, `Quoting.swift` quoting and password hashing.
public final class PostgresConnection: Sendable {
    private let libpq: LibPQConnection
    private let state = Mutex(ConnectionState())
    let watch: SocketWatch
    private let idleProbe = IdleProbe()
    let cancelHandle: CancelHandle
    public let configuration: PostgresConfiguration
    /// The event loop that watches this connection's socket.
    let reactor: Reactor
    /// Which of `PostgresEventLoop.executors` watches this connection.
    public var eventLoopIndex: Int { reactor.index }
    /// The server process serving this connection (for `pg_stat_activity`, `pg_cancel_backend`).
    public let backendPID: Int32

    private init(configuration: PostgresConfiguration, opened raw: OpaquePointer) {
        self.configuration = configuration
        libpq = LibPQConnection(pointer: raw)
        reactor = Reactor.forNewConnection()
        watch = reactor.watch(PQsocket(raw))
        cancelHandle = CancelHandle(connection: raw)
        backendPID = PQbackendPID(raw)
        idleProbe.attach(raw, watch: watch)
    }

    public static func connect(_ configuration: PostgresConfiguration) async throws -> PostgresConnection {
        let raw = try await OpenedConnection.open(configuration).pointer
        guard PQstatus(raw) == CONNECTION_OK, PQsetnonblocking(raw, 1) == 0 else {
            let message = lastError(raw)
            PQfinish(raw)
            throw PostgresError(code: .connectionFailed, message: message)
        }
        PQsetNoticeProcessor(raw, { _, _ in }, nil)  // notices are not errors; keep stderr clean
        return PostgresConnection(configuration: configuration, opened: raw)
    }

    deinit {
        // A connection dropped without close() must not leave its socket open or watched.
        if !state.withLock({ $0.finished }) { finish() }
    }

    /// Closes the connection; one closed during a statement closes when the statement ends.
    public func close() {
        if state.withLock({ $0.close() }) { finish() }
    }

    private func finish() {
        idleProbe.detach()
        watch.stop()
        PQfinish(libpq.pointer)
    }

    // MARK: Statements

    /// Queues a statement whose answer the caller does not need (BEGIN, an insert into an
    /// append-only table): it travels with the next statement that needs an answer, or
    /// with COMMIT, in one round trip. Its error, if any, is thrown by that statement, and
    /// fails the transaction as it would have; use it only inside a transaction.
    public func deferStatement(_ sql: String, _ parameters: [any PostgresEncodable] = []) {
        state.withLock { $0.appendDeferred(DeferredStatement(sql: sql, parameters: parameters, answer: nil)) }
    }

    /// Queues a read whose answer is wanted later, if at all (an agency's settings at the
    /// start of a transaction): it travels like `deferStatement`, and `rows(of:)` returns
    /// its rows, sending it first if it has not travelled yet.
    func deferQuery(_ sql: String, _ parameters: [any PostgresEncodable] = []) -> DeferredAnswer {
        let answer = DeferredAnswer()
        state.withLock { $0.appendDeferred(DeferredStatement(sql: sql, parameters: parameters, answer: answer)) }
        return answer
    }

    /// The rows of a read queued with `deferQuery`.
    nonisolated(nonsending) func rows(of answer: DeferredAnswer) async throws -> PostgresRows {
        if let rows = answer.rows { return rows }
        try await sendDeferred()
        guard let rows = answer.rows else {
            throw PostgresError(code: .protocolViolation, message: "a deferred read was never answered: its transaction failed or ended first")
        }
        return rows
    }

    /// Takes the queued statements, leaving none.
    func takeDeferred() -> [DeferredStatement] {
        state.withLock { $0.takeDeferred() }
    }

    private var hasDeferred: Bool { state.withLock { !$0.deferred.isEmpty } }

    /// Sends the queued statements now (before COPY or text that cannot be pipelined).
    nonisolated(nonsending) func sendDeferred() async throws {
        guard hasDeferred else { return }
        _ = try await pipelined([])
    }

    /// Forgets the queued statements (the transaction failed or ended without them).
    func discardDeferred() {
        state.withLock { $0.discardDeferred() }
    }

    /// Runs one statement with bound parameters and returns its rows.
    @discardableResult
    nonisolated(nonsending) public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresRows {
        if hasDeferred {
            // The deferred statements and this one in one round trip.
            return try await pipelined([(sql, parameters)])[0]
        }
        let encoded = try EncodedParameters(parameters)
        try Task.checkCancellation()
        let name = try await prepare(sql, encoded)
        do {
            return try await exchange { connection in
                encoded.withPointers { values, lengths, formats in
                    PQsendQueryPrepared(connection, name, encoded.count, values, lengths, formats, 1)
                }
            }
        } catch let error as PostgresError where error.sqlState == "0A000" || error.sqlState == "26000" {
            // The cached plan no longer fits the schema; prepare afresh next time.
            let key = encoded.cacheKey(for: sql)
            state.withLock { $0.forget(key) }
            throw error
        }
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    nonisolated(nonsending) public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await query(sql, parameters).affectedRows
    }

    /// Runs SQL text with no parameters through the simple protocol; it may hold several
    /// statements (migrations, BEGIN/COMMIT). Never pass values in it: bind them with `query`.
    nonisolated(nonsending) public func simpleQuery(_ sql: String) async throws {
        try Task.checkCancellation()
        try await sendDeferred()
        _ = try await exchange { PQsendQuery($0, sql) }
    }

    /// Runs `sql` to the end whatever happens to the calling task (ROLLBACK after a failure).
    nonisolated(nonsending) func simpleQueryUncancellable(_ sql: String) async throws {
        _ = try await exchange(cancellable: false) { PQsendQuery($0, sql) }
    }

    nonisolated(nonsending) func prepare(_ sql: String, _ encoded: EncodedParameters) async throws -> String {
        let key = encoded.cacheKey(for: sql)
        let (name, evicted): (String, String?)
        switch state.withLock({ $0.preparation(for: key) }) {
        case .known(let known): return known
        case .prepare(let new, let evicting): (name, evicted) = (new, evicting)
        }
        do {
            if let evicted { _ = try await exchange { PQsendQuery($0, "DEALLOCATE \(evicted)") } }
            _ = try await exchange { connection in
                encoded.types.withUnsafeBufferPointer { types in
                    PQsendPrepare(connection, name, sql, encoded.count, types.baseAddress)
                }
            }
        } catch {
            state.withLock { $0.forget(key) }
            throw error
        }
        return name
    }

    /// Marks the connection in use and hands out libpq's connection until `release()`; a
    /// second concurrent use is a programming error.
    func claim() throws -> OpaquePointer {
        do {
            try state.withLock { state throws(ConnectionState.ClaimRefusal) in try state.claim() }
        } catch .closed {
            throw Self.closedError
        } catch .busy {
            throw PostgresError(code: .protocolViolation, message: "a connection runs one statement at a time; this one is already in use")
        }
        let connection = libpq.pointer
        guard PQstatus(connection) == CONNECTION_OK else {
            release()
            throw PostgresError(code: .connectionLost, message: "the connection to the server is broken")
        }
        return connection
    }

    func release() {
        if state.withLock({ $0.release() }) { finish() } else { watch.settle() }
    }

    /// Runs `body` with libpq's connection while no operation can free it (for the few
    /// calls that read the connection between statements).
    func withLibPQ<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        try state.withLock { state in
            guard !state.finished else { throw Self.closedError }
            return try body(libpq.pointer)
        }
    }

    /// Asks the server to cancel the statement in flight (inside `whileCancellable`).
    func requestCancel() { cancelHandle.requestCancel() }

    // MARK: State

    public enum TransactionState: Sendable {
        case idle, active, inTransaction, failedTransaction, unknown
    }

    public var transactionState: TransactionState {
        let status = try? withLibPQ { PQtransactionStatus($0) }
        switch status {
        case PQTRANS_IDLE: return .idle
        case PQTRANS_ACTIVE: return .active
        case PQTRANS_INTRANS: return .inTransaction
        case PQTRANS_INERROR: return .failedTransaction
        default: return .unknown
        }
    }

    /// Whether the pool may hand this connection out: open, outside any transaction, and
    /// nothing arrived since its last statement. An idle pooled connection receives nothing
    /// unasked; when something did arrive, it is almost always the server's goodbye (a
    /// terminated backend, a shutdown), which libpq would only notice on the next statement.
    ///
    /// It reads the connection from the caller's thread: call it only while no statement
    /// runs, as the pool does.
    public func isHealthy() -> Bool { idleProbe.isHealthy() }

    /// Open and outside any transaction (no socket check); the pool's test on return.
    func isIdle() -> Bool { idleProbe.isIdle() }
}
