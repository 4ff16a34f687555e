import Foundation
import Logging

/// A bounded pool of connections.
///
/// Connections are opened lazily up to `maximumConnections`. A caller that finds none free
/// waits up to `acquireTimeout`, then gets a clear error. Each connection is checked before
/// it is handed out (no round trip, see `PostgresConnection.isHealthy`), and one that broke
/// is closed and replaced, so a killed backend costs at most the statement it was running.
public actor ConnectionPool {
    public struct Options: Sendable {
        public var maximumConnections: Int
        public var acquireTimeout: Duration

        public init(maximumConnections: Int = 16, acquireTimeout: Duration = .seconds(10)) {
            precondition(maximumConnections > 0, "a pool needs at least one connection")
            self.maximumConnections = maximumConnections
            self.acquireTimeout = acquireTimeout
        }
    }

    public nonisolated let configuration: PostgresConfiguration
    public nonisolated let options: Options
    private let logger: Logger

    private var idle: [PostgresConnection] = []
    private var open = 0
    private var waiters: [UInt64: CheckedContinuation<PostgresConnection?, any Error>] = [:]
    private var waiterOrder: [UInt64] = []
    private var nextWaiter: UInt64 = 0
    private var closed = false

    public init(
        configuration: PostgresConfiguration,
        options: Options = Options(),
        logger: Logger = Logger(label: "fazhi.postgres.pool")
    ) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
    }

    /// Connections currently open (idle or lent out).
    public var openConnections: Int { open }

    /// Lends a connection to `body` and takes it back afterwards, whatever happens.
    public nonisolated func withConnection<T: Sendable>(
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            await release(connection)
            return value
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Runs one statement on any free connection.
    @discardableResult
    public nonisolated func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, parameters) }
    }

    public func acquire() async throws -> PostgresConnection {
        while true {
            guard !closed else { throw PostgresError(code: .connectionFailed, message: "the connection pool is closed") }
            if let connection = idle.popLast() {
                if await connection.isHealthy() { return connection }
                await discard(connection, reason: "failed its health check")
                continue
            }
            if open < options.maximumConnections {
                open += 1
                do {
                    return try await PostgresConnection.connect(configuration)
                } catch {
                    open -= 1
                    wakeOneWaiterToConnect()
                    throw error
                }
            }
            // Nil means: a slot was freed, go round again and open a connection.
            if let connection = try await waitForRelease() {
                if await connection.isHealthy() { return connection }
                await discard(connection, reason: "failed its health check")
            }
        }
    }

    public func release(_ connection: PostgresConnection) async {
        let reusable = await connection.transactionState == .idle
            ? await connection.isHealthy() : false
        guard reusable, !closed else {
            await discard(connection, reason: closed ? "the pool is closed" : "was returned broken or inside a transaction")
            return
        }
        if let id = waiterOrder.first {
            waiterOrder.removeFirst()
            waiters.removeValue(forKey: id)?.resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    /// Closes every idle connection; connections lent out close when returned.
    public func close() async {
        closed = true
        for connection in idle { await connection.close() }
        open -= idle.count
        idle.removeAll()
        for id in waiterOrder {
            waiters.removeValue(forKey: id)?.resume(throwing: PostgresError(code: .connectionFailed, message: "the connection pool is closed"))
        }
        waiterOrder.removeAll()
    }

    private func discard(_ connection: PostgresConnection, reason: String) async {
        logger.debug("closing a pooled connection", metadata: ["reason": "\(reason)"])
        await connection.close()
        open -= 1
        wakeOneWaiterToConnect()
    }

    private func wakeOneWaiterToConnect() {
        guard let id = waiterOrder.first else { return }
        waiterOrder.removeFirst()
        waiters.removeValue(forKey: id)?.resume(returning: nil)
    }

    private func waitForRelease() async throws -> PostgresConnection? {
        nextWaiter += 1
        let id = nextWaiter
        let timeout = options.acquireTimeout
        let maximum = options.maximumConnections
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expire(id, error: PostgresError(
                code: .connectionFailed,
                message: "no database connection became free within \(timeout) (all \(maximum) are in use)"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters[id] = continuation
                waiterOrder.append(id)
            }
        } onCancel: {
            Task { await self.expire(id, error: CancellationError()) }
        }
    }

    private func expire(_ id: UInt64, error: any Error) {
        guard let continuation = waiters.removeValue(forKey: id) else { return }
        waiterOrder.removeAll { $0 == id }
        continuation.resume(throwing: error)
    }
}
