import CLibPQ
import Foundation

/// One libpq connection, pinned to a thread of its own.
///
/// Every method runs on that thread (the actor's executor), so blocking libpq calls never
/// occupy Swift's cooperative pool. Statements are prepared once per connection and reused.
/// Cancelling the calling task sends a cancel request to the server for the statement in flight.
public actor PostgresConnection {
    private let executor: BlockingThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private var connection: OpaquePointer?
    private var cancelHandle: CancelHandle?
    private var statements = PreparedStatementCache()
    public nonisolated let configuration: PostgresConfiguration
    /// The server process serving this connection (for `pg_stat_activity`, `pg_cancel_backend`).
    public private(set) var backendPID: Int32 = 0

    private init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        executor = BlockingThreadExecutor(name: "fazhi-postgres")
    }

    public static func connect(_ configuration: PostgresConfiguration) async throws -> PostgresConnection {
        let connection = PostgresConnection(configuration: configuration)
        do {
            try await connection.open()
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    private func open() throws {
        let pairs = configuration.keywords
        let keywords = pairs.map { strdup($0.0) } + [nil]
        let values = pairs.map { strdup($0.1) } + [nil]
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
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
        guard let opened else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        connection = opened
        guard PQstatus(opened) == CONNECTION_OK else {
            throw PostgresError(code: .connectionFailed, message: Self.lastError(opened))
        }
        PQsetNoticeProcessor(opened, { _, _ in }, nil)  // notices are not errors; keep stderr clean
        cancelHandle = CancelHandle(connection: opened)
        backendPID = PQbackendPID(opened)
    }

    public func close() {
        if let connection { PQfinish(connection) }
        connection = nil
        cancelHandle = nil
        executor.shutdown()
    }

    // MARK: Statements

    /// Runs one statement with bound parameters and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresRows {
        let encoded = try EncodedParameters(parameters)
        let name = try prepare(sql, encoded)
        do {
            return try await cancellable { connection in
                encoded.withPointers { values, lengths, formats in
                    PQexecPrepared(connection, name, encoded.count, values, lengths, formats, 1)
                }
            }
        } catch let error as PostgresError where error.sqlState == "0A000" || error.sqlState == "26000" {
            // The cached plan no longer fits the schema; prepare afresh next time.
            statements.remove(key: encoded.cacheKey(for: sql))
            throw error
        }
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await query(sql, parameters).affectedRows
    }

    /// Runs SQL text with no parameters through the simple protocol; it may hold several
    /// statements (migrations, BEGIN/COMMIT). Never pass values in it: bind them with `query`.
    public func simpleQuery(_ sql: String) async throws {
        _ = try await cancellable { connection in PQexec(connection, sql) }
    }

    func prepare(_ sql: String, _ encoded: EncodedParameters) throws -> String {
        let key = encoded.cacheKey(for: sql)
        if let name = statements.name(for: key) { return name }
        let connection = try live()
        let (name, evicted) = statements.insert(key: key)
        if let evicted {
            PQclear(PQexec(connection, "DEALLOCATE \(evicted)"))
        }
        let result = encoded.types.withUnsafeBufferPointer { types in
            PQprepare(connection, name, sql, encoded.count, types.baseAddress)
        }
        do {
            _ = try check(result, cancelled: false)
        } catch {
            statements.remove(key: key)
            throw error
        }
        return name
    }

    /// Runs a blocking libpq call with task cancellation forwarded to the server.
    func cancellable(_ call: (OpaquePointer) -> OpaquePointer?) async throws -> PostgresRows {
        let connection = try live()
        guard let cancelHandle else { throw Self.closedError }
        return try await withTaskCancellationHandler {
            cancelHandle.begin()
            let result = call(connection)
            let cancelled = cancelHandle.end()
            return try check(result, cancelled: cancelled)
        } onCancel: {
            cancelHandle.requestCancel()
        }
    }

    /// Turns a libpq result into rows or a typed error. Frees the result on error.
    func check(_ result: OpaquePointer?, cancelled: Bool) throws -> PostgresRows {
        guard let result else {
            throw connectionError()
        }
        let handle = ResultHandle(result)
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_EMPTY_QUERY, PGRES_PIPELINE_SYNC:
            return PostgresRows(handle: handle)
        default:
            throw Self.error(from: result, connection: connection, cancelled: cancelled)
        }
    }

    static func error(from result: OpaquePointer, connection: OpaquePointer?, cancelled: Bool) -> PostgresError {
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
        if state == "57014" && cancelled { code = .queryCanceled }
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

    func connectionError() -> PostgresError {
        guard let connection else { return Self.closedError }
        let code: PostgresError.Code = PQstatus(connection) == CONNECTION_OK ? .protocolViolation : .connectionLost
        return PostgresError(code: code, message: Self.lastError(connection))
    }

    func live() throws -> OpaquePointer {
        guard let connection else { throw Self.closedError }
        guard PQstatus(connection) == CONNECTION_OK else {
            throw PostgresError(code: .connectionLost, message: "the connection to the server is broken")
        }
        return connection
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
        guard let connection else { return .unknown }
        switch PQtransactionStatus(connection) {
        case PQTRANS_IDLE: return .idle
        case PQTRANS_ACTIVE: return .active
        case PQTRANS_INTRANS: return .inTransaction
        case PQTRANS_INERROR: return .failedTransaction
        default: return .unknown
        }
    }

    /// A cheap check that needs no round trip: the connection is open, outside any
    /// transaction, and nothing arrived since its last statement. An idle pooled connection
    /// receives nothing unasked; when something did arrive, it is almost always the
    /// server's goodbye (a terminated backend, a shutdown), which libpq would only notice
    /// on the next statement. So such a connection is reported unhealthy and replaced.
    public func isHealthy() -> Bool {
        guard let connection, PQstatus(connection) == CONNECTION_OK,
              PQtransactionStatus(connection) == PQTRANS_IDLE
        else { return false }
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    /// Quotes an identifier for the few statements that cannot take parameters (LISTEN, DDL).
    public func quoteIdentifier(_ identifier: String) throws -> String {
        let connection = try live()
        guard let quoted = PQescapeIdentifier(connection, identifier, identifier.utf8.count) else {
            throw PostgresError(code: .invalidParameter, message: Self.lastError(connection))
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    /// Quotes a literal for the few statements that cannot take parameters (`ALTER ROLE … PASSWORD`).
    public func quoteLiteral(_ literal: String) throws -> String {
        let connection = try live()
        guard let quoted = PQescapeLiteral(connection, literal, literal.utf8.count) else {
            throw PostgresError(code: .invalidParameter, message: Self.lastError(connection))
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    /// A password hashed by libpq for `ALTER ROLE … PASSWORD`, so the server never sees it in clear.
    public func encryptPassword(_ password: String, forRole role: String) throws -> String {
        let connection = try live()
        guard let encrypted = PQencryptPasswordConn(connection, password, role, "scram-sha-256") else {
            throw PostgresError(code: .invalidParameter, message: Self.lastError(connection))
        }
        defer { PQfreemem(encrypted) }
        return String(cString: encrypted)
    }

    /// For the pieces of this module that drive libpq directly (COPY, pipeline, LISTEN).
    func withRawConnection<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        try body(try live())
    }

    var cancellation: CancelHandle? { cancelHandle }
}

/// Names of the statements prepared on one connection, bounded so a stream of distinct
/// statements cannot grow server memory without limit.
struct PreparedStatementCache {
    private var names: [String: String] = [:]
    private var order: [String] = []
    private var next = 0
    let capacity = 512

    func name(for key: String) -> String? { names[key] }

    /// Returns the new statement's name and the name of one to deallocate, if any.
    mutating func insert(key: String) -> (name: String, evicted: String?) {
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

    mutating func remove(key: String) {
        names.removeValue(forKey: key)
        order.removeAll { $0 == key }
    }
}
