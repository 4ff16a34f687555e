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
public final class PostgresConnection: Sendable {
    private let libpq: LibPQConnection
    private let state = Mutex(State())
    private let watch: SocketWatch
    private let idleProbe = IdleProbe()
    private let cancelHandle: CancelHandle
    public let configuration: PostgresConfiguration
    /// The event loop that watches this connection's socket.
    let reactor: Reactor
    /// Which of `PostgresEventLoop.executors` watches this connection.
    public var eventLoopIndex: Int { reactor.index }
    /// The server process serving this connection (for `pg_stat_activity`, `pg_cancel_backend`).
    public let backendPID: Int32

    private struct State {
        var statements = PreparedStatementCache()
        /// Statements whose answers nobody waits for, sent with the next one that needs an
        /// answer (see `deferStatement`).
        var deferred: [DeferredStatement] = []
        /// An operation holds libpq (see `claim`).
        var busy = false
        /// `close()` was called; the connection finishes as soon as it is not busy.
        var closing = false
        /// libpq's connection is freed.
        var finished = false
    }

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
        let finishNow = state.withLock { state in
            guard !state.closing else { return false }
            state.closing = true
            state.finished = !state.busy
            return state.finished
        }
        if finishNow { finish() }
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
        state.withLock { $0.deferred.append(DeferredStatement(sql: sql, parameters: parameters, answer: nil)) }
    }

    /// Queues a read whose answer is wanted later, if at all (an agency's settings at the
    /// start of a transaction): it travels like `deferStatement`, and `rows(of:)` returns
    /// its rows, sending it first if it has not travelled yet.
    func deferQuery(_ sql: String, _ parameters: [any PostgresEncodable] = []) -> DeferredAnswer {
        let answer = DeferredAnswer()
        state.withLock { $0.deferred.append(DeferredStatement(sql: sql, parameters: parameters, answer: answer)) }
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
        state.withLock { state in
            defer { state.deferred.removeAll(keepingCapacity: true) }
            return state.deferred
        }
    }

    private var hasDeferred: Bool { state.withLock { !$0.deferred.isEmpty } }

    /// Sends the queued statements now (before COPY or text that cannot be pipelined).
    nonisolated(nonsending) func sendDeferred() async throws {
        guard hasDeferred else { return }
        _ = try await pipelined([])
    }

    /// Forgets the queued statements (the transaction failed or ended without them).
    func discardDeferred() {
        state.withLock { $0.deferred.removeAll() }
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
            state.withLock { $0.statements.remove(key: key) }
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
        let (known, name, evicted): (Bool, String, String?) = state.withLock { state in
            if let name = state.statements.name(for: key) { return (true, name, nil) }
            let (name, evicted) = state.statements.insert(key: key)
            return (false, name, evicted)
        }
        if known { return name }
        do {
            if let evicted { _ = try await exchange { PQsendQuery($0, "DEALLOCATE \(evicted)") } }
            _ = try await exchange { connection in
                encoded.types.withUnsafeBufferPointer { types in
                    PQsendPrepare(connection, name, sql, encoded.count, types.baseAddress)
                }
            }
        } catch {
            state.withLock { $0.statements.remove(key: key) }
            throw error
        }
        return name
    }

    /// Sends with `send`, then collects every result until libpq signals the end. Returns
    /// the last result's rows, or throws the first error.
    nonisolated(nonsending) func exchange(cancellable: Bool = true, _ send: (OpaquePointer) -> Int32) async throws -> PostgresRows {
        let connection = try claim()
        defer { release() }
        guard send(connection) == 1 else { throw connectionError(connection) }
        return try await whileCancellable(cancellable) {
            try await collect(connection).rows
        }
    }

    /// Runs `body` with task cancellation forwarded to the server as a cancel request; a
    /// statement the server then cancels fails with `queryCanceled`.
    nonisolated(nonsending) func whileCancellable<T>(
        _ cancellable: Bool = true, _ body: nonisolated(nonsending) () async throws -> T
    ) async throws -> T {
        guard cancellable else { return try await body() }
        let cancelHandle = self.cancelHandle
        cancelHandle.begin()
        let outcome: Result<T, any Error>
        do {
            outcome = .success(
                try await withTaskCancellationHandler {
                    try await body()
                } onCancel: {
                    cancelHandle.requestCancel()
                })
        } catch {
            outcome = .failure(error)
        }
        let cancelled = cancelHandle.end()
        if cancelled, case .failure(let error as PostgresError) = outcome, error.sqlState == "57014" {
            var canceled = PostgresError(code: .queryCanceled, message: error.message, sqlState: error.sqlState)
            canceled.detail = error.detail
            throw canceled
        }
        return try outcome.get()
    }

    enum CopyDirection { case into, out }

    /// Reads results until libpq has no more, or until the server enters COPY mode.
    nonisolated(nonsending) func collect(_ connection: OpaquePointer) async throws -> (rows: PostgresRows, copy: CopyDirection?) {
        try await flush(connection)
        var rows = PostgresRows()
        var firstError: PostgresError?
        while true {
            try await awaitResult(connection)
            guard let result = PQgetResult(connection) else { break }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_EMPTY_QUERY:
                rows = PostgresRows(handle: ResultHandle(result))
            case PGRES_COPY_IN, PGRES_COPY_OUT:
                let direction: CopyDirection = PQresultStatus(result) == PGRES_COPY_IN ? .into : .out
                PQclear(result)
                return (rows, direction)
            default:
                if firstError == nil { firstError = Self.error(from: result, connection: connection) }
                PQclear(result)
            }
        }
        if let firstError { throw firstError }
        if PQstatus(connection) != CONNECTION_OK { throw connectionError(connection) }
        return (rows, nil)
    }

    /// Sends everything libpq has queued, reading meanwhile so a server that answers
    /// while we still write cannot deadlock us.
    nonisolated(nonsending) func flush(_ connection: OpaquePointer) async throws {
        while true {
            let state = PQflush(connection)
            if state == 0 { return }
            guard state == 1 else { throw connectionError(connection) }
            try await waitForSocket(.readOrWrite)
            try consumeInput(connection)
        }
    }

    /// Waits until `PQgetResult` can answer without blocking.
    nonisolated(nonsending) func awaitResult(_ connection: OpaquePointer) async throws {
        while PQisBusy(connection) == 1 {
            try await readMore(connection)
        }
    }

    /// Reads more of the server's answer into libpq, waiting for the socket unless the TLS
    /// layer already holds decrypted bytes (which the socket does not show; libpq's own
    /// waits check the same).
    nonisolated(nonsending) func readMore(_ connection: OpaquePointer, cancellable: Bool = false) async throws {
        if !TLSBuffer.hasPendingBytes(connection) { try await waitForSocket(.read, cancellable: cancellable) }
        try consumeInput(connection)
    }

    /// Moves whatever the socket holds into libpq's buffer, without waiting.
    func consumeInput(_ connection: OpaquePointer) throws {
        guard PQconsumeInput(connection) == 1 else { throw connectionError(connection) }
    }

    /// Suspends until the server's socket is ready.
    nonisolated(nonsending) func waitForSocket(_ interest: SocketWatch.Interest, cancellable: Bool = false) async throws {
        try await watch.wait(interest, cancellable: cancellable)
    }

    /// Marks the connection in use and hands out libpq's connection until `release()`; a
    /// second concurrent use is a programming error.
    func claim() throws -> OpaquePointer {
        try state.withLock { state in
            guard !state.closing else { throw Self.closedError }
            guard !state.busy else {
                throw PostgresError(code: .protocolViolation, message: "a connection runs one statement at a time; this one is already in use")
            }
            state.busy = true
        }
        let connection = libpq.pointer
        guard PQstatus(connection) == CONNECTION_OK else {
            release()
            throw PostgresError(code: .connectionLost, message: "the connection to the server is broken")
        }
        return connection
    }

    func release() {
        let finishNow = state.withLock { state in
            state.busy = false
            state.finished = state.closing
            return state.finished
        }
        if finishNow { finish() } else { watch.settle() }
    }

    /// Runs `body` with libpq's connection while no operation can free it (for the few
    /// calls that read the connection between statements).
    private func withLibPQ<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        try state.withLock { state in
            guard !state.finished else { throw Self.closedError }
            return try body(libpq.pointer)
        }
    }

    /// Asks the server to cancel the statement in flight (inside `whileCancellable`).
    func requestCancel() { cancelHandle.requestCancel() }

    /// The typed error a failed result describes. (A 57014 that this client caused is
    /// turned into `queryCanceled` by `whileCancellable`.)
    static func error(from result: OpaquePointer, connection: OpaquePointer?) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let message = field("M") ?? String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let state = field("C") else {
            // No SQLSTATE: libpq itself failed, almost always because the connection broke.
            let broken = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
            return PostgresError(code: broken ? .connectionLost : .protocolViolation, message: message)
        }
        var code = PostgresError.code(forSQLState: state, message: message)
        if let connection, PQstatus(connection) != CONNECTION_OK { code = .connectionLost }
        var error = PostgresError(code: code, message: message, sqlState: state)
        error.detail = field("D")
        error.hint = field("H")
        error.schema = field("s")
        error.table = field("t")
        error.column = field("c")
        error.constraint = field("n")
        return error
    }

    /// The error for a libpq call that failed on the claimed `connection`.
    func connectionError(_ connection: OpaquePointer) -> PostgresError {
        let code: PostgresError.Code = PQstatus(connection) == CONNECTION_OK ? .protocolViolation : .connectionLost
        return PostgresError(code: code, message: Self.lastError(connection))
    }

    static let closedError = PostgresError(code: .connectionLost, message: "the connection is closed")

    static func lastError(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

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

    /// Quotes an identifier for the few statements that cannot take parameters (LISTEN, DDL).
    public func quoteIdentifier(_ identifier: String) throws -> String {
        try escape(identifier, with: PQescapeIdentifier)
    }

    /// Quotes a literal for the few statements that cannot take parameters (`ALTER ROLE … PASSWORD`).
    public func quoteLiteral(_ literal: String) throws -> String {
        try escape(literal, with: PQescapeLiteral)
    }

    private func escape(
        _ text: String, with function: (OpaquePointer?, UnsafePointer<CChar>?, Int) -> UnsafeMutablePointer<CChar>?
    ) throws -> String {
        try withLibPQ { connection in
            guard let quoted = function(connection, text, text.utf8.count) else {
                throw PostgresError(code: .invalidParameter, message: Self.lastError(connection))
            }
            defer { PQfreemem(quoted) }
            return String(cString: quoted)
        }
    }

    /// A password hashed by libpq for `ALTER ROLE … PASSWORD`, so the server never sees it
    /// in clear. Naming the algorithm keeps libpq from asking the server.
    public func encryptPassword(_ password: String, forRole role: String) throws -> String {
        try withLibPQ { connection in
            guard let encrypted = PQencryptPasswordConn(connection, password, role, "scram-sha-256") else {
                throw PostgresError(code: .invalidParameter, message: Self.lastError(connection))
            }
            defer { PQfreemem(encrypted) }
            return String(cString: encrypted)
        }
    }
}

/// A statement queued to travel with the next one that needs an answer.
struct DeferredStatement: Sendable {
    let sql: String
    let parameters: [any PostgresEncodable]
    /// Where its rows go, when someone wants them.
    let answer: DeferredAnswer?
}

/// The rows of a deferred read, once it travelled.
final class DeferredAnswer: Sendable {
    private let value = Mutex<PostgresRows?>(nil)

    var rows: PostgresRows? { value.withLock { $0 } }

    func fill(_ rows: PostgresRows) { value.withLock { $0 = rows } }
}

/// libpq's connection handle. libpq allows one thread at a time per connection; the
/// connection's claim (or its lock, between statements) provides that.
private struct LibPQConnection: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// A freshly opened libpq connection, handed from the connecting thread to the caller.
struct OpenedConnection: @unchecked Sendable {
    let pointer: OpaquePointer

    /// PQconnectdbParams blocks through DNS, TCP, TLS and authentication, so it runs on a
    /// short-lived thread of its own, never on the cooperative pool.
    static func open(_ configuration: PostgresConfiguration) async throws -> OpenedConnection {
        let pairs = configuration.keywords
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let keywords = pairs.map { strdup($0.0) } + [nil]
                let values = pairs.map { strdup($0.1) } + [nil]
                defer {
                    for keyword in keywords { free(keyword) }
                    for value in values { free(value) }
                }
                let opened = keywords.withUnsafeBufferPointer { keywordPointer in
                    values.withUnsafeBufferPointer { valuePointer in
                        keywordPointer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { k in
                            valuePointer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { v in
                                PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
                            }
                        }
                    }
                }
                if let opened {
                    continuation.resume(returning: OpenedConnection(pointer: opened))
                } else {
                    continuation.resume(throwing: PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection"))
                }
            }
        }
    }
}

/// Names of the statements prepared on one connection, bounded so a stream of distinct
/// statements cannot grow server memory without limit.
struct PreparedStatementCache {
    private var names: [StatementKey: String] = [:]
    private var order: [StatementKey] = []
    private var next = 0
    let capacity = 512

    func name(for key: StatementKey) -> String? { names[key] }

    /// Returns the new statement's name and the name of one to deallocate, if any.
    mutating func insert(key: StatementKey) -> (name: String, evicted: String?) {
        next += 1
        let name = "fazhi_\(next)"
        var evicted: String?
        if names.count >= capacity, let oldest = order.first {
            order.removeFirst()
            evicted = names.removeValue(forKey: oldest)
        }
        names[key] = name
        order.append(key)
        return (name, evicted)
    }

    mutating func remove(key: StatementKey) {
        names.removeValue(forKey: key)
        order.removeAll { $0 == key }
    }
}
