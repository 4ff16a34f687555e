import Foundation
import Logging
import Synchronization

/// A bounded pool of connections.
///
/// Connections are opened lazily up to `maximumConnections`. A caller that finds none free
/// waits up to `acquireTimeout`, then gets a clear error. Each connection is checked before
/// it is lent (no round trip, see `PostgresConnection.isHealthy`), and one that broke is
/// closed and replaced, so a killed backend costs at most the statement it was running.
///
/// Lending and returning take one lock and never suspend while a connection is free: the
/// pool sits on every query's path.
public final class ConnectionPool: Sendable {
    public struct Options: Sendable {
        public var maximumConnections: Int
        public var acquireTimeout: Duration

        public init(maximumConnections: Int = 16, acquireTimeout: Duration = .seconds(10)) {
            precondition(maximumConnections > 0, "a pool needs at least one connection")
            self.maximumConnections = maximumConnections
            self.acquireTimeout = acquireTimeout
        }
    }

    public let configuration: PostgresConfiguration
    public let options: Options
    private let logger: Logger
    private let state = Mutex(State())

    private struct State: ~Copyable {
        /// Idle connections by event loop, so a task running on a loop gets one of its own.
        var idle: [[PostgresConnection]] = Array(repeating: [], count: Reactor.loops.count)
        var idleCount = 0
        var open = 0
        /// In arrival order, which is also deadline order (every wait has the same timeout).
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
        /// A task is watching the first waiter's deadline.
        var sweeping = false
        var closed = false

        /// An idle connection, of the caller's loop when there is one.
        mutating func takeIdle(preferring loop: Reactor?) -> PostgresConnection? {
            guard idleCount > 0 else { return nil }
            idleCount -= 1
            if let loop, let connection = idle[loop.index].popLast() { return connection }
            let fullest = idle.indices.max { idle[$0].count < idle[$1].count }!
            return idle[fullest].popLast()
        }

        mutating func putIdle(_ connection: PostgresConnection) {
            idle[connection.reactor.index].append(connection)
            idleCount += 1
        }

        mutating func takeAllIdle() -> [PostgresConnection] {
            defer {
                idle = idle.map { _ in [] }
                idleCount = 0
            }
            return idle.flatMap { $0 }
        }
    }

    private struct Waiter {
        let id: UInt64
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<PostgresConnection?, any Error>
    }

    private enum Next {
        case lend(PostgresConnection)
        case connect
        case wait
        case closed
    }

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
    public var openConnections: Int { state.withLock { $0.open } }

    /// Open, idle and waiting, read together (for metrics).
    public var usage: (open: Int, idle: Int, waiting: Int) {
        state.withLock { ($0.open, $0.idleCount, $0.waiters.count) }
    }

    /// Lends a connection to `body` and takes it back afterwards, whatever happens.
    nonisolated(nonsending) public func withConnection<T: Sendable>(
        _ body: nonisolated(nonsending) (PostgresConnection) async throws -> T
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
    nonisolated(nonsending) public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, parameters) }
    }

    nonisolated(nonsending) public func acquire() async throws -> PostgresConnection {
        let loop = Reactor.current
        while true {
            let next: Next = state.withLock { state in
                if state.closed { return .closed }
                if let connection = state.takeIdle(preferring: loop) { return .lend(connection) }
                if state.open < options.maximumConnections {
                    state.open += 1
                    return .connect
                }
                return .wait
            }
            switch next {
            case .lend(let connection):
                if connection.isHealthy() { return connection }
                await discard(connection, reason: "failed its health check")
            case .connect:
                return try await connect()
            case .wait:
                // Nil means a slot was freed: go round again and open a connection.
                if let connection = try await waitForRelease() {
                    if connection.isHealthy() { return connection }
                    await discard(connection, reason: "failed its health check")
                }
            case .closed:
                throw Self.closedError
            }
        }
    }

    nonisolated(nonsending) public func release(_ connection: PostgresConnection) async {
        guard connection.isIdle() else {
            await discard(connection, reason: "was returned broken or inside a transaction")
            return
        }
        let waiter: CheckedContinuation<PostgresConnection?, any Error>?? = state.withLock { state in
            if state.closed { return .none }
            if !state.waiters.isEmpty { return .some(state.waiters.removeFirst().continuation) }
            state.putIdle(connection)
            return .some(nil)
        }
        switch waiter {
        case .none: await discard(connection, reason: "the pool is closed")
        case .some(let continuation): continuation?.resume(returning: connection)
        }
    }

    /// Closes every idle connection; connections lent out close when returned.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            let idle = state.takeAllIdle()
            state.open -= idle.count
            let waiters = state.waiters
            state.waiters.removeAll()
            return (idle, waiters)
        }
        for connection in idle { connection.close() }
        for waiter in waiters { waiter.continuation.resume(throwing: Self.closedError) }
    }

    private static let closedError = PostgresError(code: .connectionFailed, message: "the connection pool is closed")

    nonisolated(nonsending) private func connect() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration)
        } catch {
            let waiter = state.withLock { state in
                state.open -= 1
                return state.waiters.isEmpty ? nil : state.waiters.removeFirst().continuation
            }
            waiter?.resume(returning: nil)
            throw error
        }
    }

    nonisolated(nonsending) private func discard(_ connection: PostgresConnection, reason: String) async {
        logger.debug("closing a pooled connection", metadata: ["reason": "\(reason)"])
        connection.close()
        let waiter = state.withLock { state in
            state.open -= 1
            return state.waiters.isEmpty ? nil : state.waiters.removeFirst().continuation
        }
        waiter?.resume(returning: nil)
    }

    nonisolated(nonsending) private func waitForRelease() async throws -> PostgresConnection? {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        let deadline = ContinuousClock.now + options.acquireTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // Check again under the lock: a connection may have come back meanwhile.
                let (next, startSweeping): (Next?, Bool) = state.withLock { state in
                    if state.closed { return (.closed, false) }
                    if let connection = state.takeIdle(preferring: nil) { return (.lend(connection), false) }
                    if state.open < options.maximumConnections {
                        state.open += 1
                        return (.connect, false)
                    }
                    state.waiters.append(Waiter(id: id, deadline: deadline, continuation: continuation))
                    defer { state.sweeping = true }
                    return (nil, !state.sweeping)
                }
                if startSweeping { sweepExpiredWaiters() }
                switch next {
                case .lend(let connection): continuation.resume(returning: connection)
                case .connect:
                    // Give the slot back and let the caller open it on its next round.
                    state.withLock { $0.open -= 1 }
                    continuation.resume(returning: nil)
                case .closed: continuation.resume(throwing: Self.closedError)
                case .wait, nil: break
                }
            }
        } onCancel: {
            expire(id, error: CancellationError())
        }
    }

    /// Fails waiters whose timeout passed. One task sleeps until the first waiter's
    /// deadline, for as long as anyone waits: a timer per wait would cost a task and a
    /// clock registration on every busy acquire.
    private func sweepExpiredWaiters() {
        let timeout = options.acquireTimeout
        let maximum = options.maximumConnections
        Task { [weak self] in
            while let deadline = self?.firstDeadlineOrStop() {
                try? await Task.sleep(until: deadline, clock: .continuous)
                let expired = self?.takeWaiters(expiredAt: ContinuousClock.now) ?? []
                for continuation in expired {
                    continuation.resume(
                        throwing: PostgresError(
                            code: .connectionFailed,
                            message: "no database connection became free within \(timeout) (all \(maximum) are in use)"))
                }
            }
        }
    }

    private func takeWaiters(expiredAt now: ContinuousClock.Instant) -> [CheckedContinuation<PostgresConnection?, any Error>] {
        state.withLock { state in
            let count = state.waiters.prefix { $0.deadline <= now }.count
            defer { state.waiters.removeFirst(count) }
            return state.waiters.prefix(count).map(\.continuation)
        }
    }

    /// The first waiter's deadline; when nobody waits, marks the sweep over.
    private func firstDeadlineOrStop() -> ContinuousClock.Instant? {
        state.withLock { state in
            guard let first = state.waiters.first else {
                state.sweeping = false
                return nil
            }
            return first.deadline
        }
    }

    private func expire(_ id: UInt64, error: any Error) {
        let waiter = state.withLock { state -> CheckedContinuation<PostgresConnection?, any Error>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        waiter?.resume(throwing: error)
    }
}
