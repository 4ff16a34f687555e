import CLibPQ
import Foundation

/// Wakes tasks when a socket is ready, from one epoll thread shared by every connection.
///
/// Connections run libpq in non-blocking mode on the caller's task and suspend here while
/// the server works, so no thread sleeps per connection and the cooperative pool is
/// never blocked. One thread serves all sockets, the way pgbench's event loop does.
/// Each socket has its own `SocketWatch`, handed to epoll as the event's pointer, so
/// waking a task takes no shared lock.
final class Reactor: TaskExecutor, @unchecked Sendable {
    enum Interest {
        case read, write, readOrWrite

        var events: UInt32 {
            switch self {
            case .read: return EPOLLIN.rawValue
            case .write: return EPOLLOUT.rawValue
            case .readOrWrite: return EPOLLIN.rawValue | EPOLLOUT.rawValue
            }
        }
    }

    static let shared = Reactor()

    private let epoll: Int32
    /// Written to wake `epoll_wait` when a job arrives from another thread.
    private let wakeup: Int32
    private let lock = NSLock()
    private var jobs: [UnownedJob] = []
    private var sleeping = false

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed: \(String(cString: strerror(errno)))")
        wakeup = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wakeup >= 0, "eventfd failed: \(String(cString: strerror(errno)))")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.ptr = nil
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &event)
        let thread = Thread { [self] in run() }
        thread.name = "fazhi-postgres-reactor"
        thread.start()
    }

    /// Starts watching `socket`; the watch lives until `stop(_:)`.
    func watch(_ socket: Int32) -> SocketWatch {
        SocketWatch(socket: socket, epoll: epoll)
    }

    /// Tasks that prefer this executor (`withTaskExecutorPreference(PostgresEventLoop.executor)`)
    /// run here, between waits: a statement's answer then resumes its task on this very
    /// thread, with no hand-off to another.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let wake = lock.withLock {
            jobs.append(job)
            defer { sleeping = false }
            return sleeping
        }
        if wake { eventfd_write(wakeup, 1) }
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        var batch: [UnownedJob] = []
        while true {
            batch = lock.withLock {
                defer { jobs.removeAll(keepingCapacity: true) }
                return jobs
            }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            let idle = lock.withLock {
                sleeping = jobs.isEmpty
                return sleeping
            }
            let count = epoll_wait(epoll, &events, Int32(events.count), idle ? -1 : 0)
            lock.withLock { sleeping = false }
            if count < 0 {
                if errno == EINTR { continue }
                fatalError("epoll_wait failed: \(String(cString: strerror(errno)))")
            }
            for index in 0..<Int(count) {
                guard let pointer = events[index].data.ptr else {
                    var value: eventfd_t = 0
                    eventfd_read(wakeup, &value)
                    continue
                }
                Unmanaged<SocketWatch>.fromOpaque(pointer).takeUnretainedValue().fire()
            }
        }
    }
}

/// One socket's registration with the reactor, and the task waiting on it (at most one:
/// a connection runs one operation at a time).
final class SocketWatch: @unchecked Sendable {
    let socket: Int32
    private let epoll: Int32
    private let lock = NSLock()
    private var waiter: CheckedContinuation<Void, any Error>?
    private var added = false
    private var stopped = false

    fileprivate init(socket: Int32, epoll: Int32) {
        self.socket = socket
        self.epoll = epoll
    }

    /// Suspends until the socket is ready for `interest` (or has failed: the next libpq
    /// call then says why). With `cancellable`, task cancellation ends the wait with
    /// CancellationError; a statement in flight waits regardless, since its connection
    /// must read the server's answer to stay usable.
    func wait(_ interest: Reactor.Interest, cancellable: Bool = false) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                lock.lock()
                if stopped {
                    lock.unlock()
                    continuation.resume(throwing: PostgresError(code: .connectionLost, message: "the connection was closed"))
                    return
                }
                if cancellable && Task.isCancelled {
                    lock.unlock()
                    continuation.resume(throwing: CancellationError())
                    return
                }
                precondition(waiter == nil, "two waits on one PostgreSQL socket")
                waiter = continuation
                var event = epoll_event()
                event.events = interest.events | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue
                // The watch outlives its registration: `stop` removes it before release.
                event.data.ptr = Unmanaged.passUnretained(self).toOpaque()
                let result = epoll_ctl(epoll, added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, socket, &event)
                added = true
                lock.unlock()
                if result != 0 {
                    fire(error: PostgresError(code: .connectionLost, message: "cannot watch the connection's socket: \(String(cString: strerror(errno)))"))
                }
            }
        } onCancel: {
            if cancellable { fire(error: CancellationError()) }
        }
    }

    fileprivate func fire(error: (any Error)? = nil) {
        lock.lock()
        let continuation = waiter
        waiter = nil
        lock.unlock()
        if let error { continuation?.resume(throwing: error) } else { continuation?.resume() }
    }

    /// Stops watching; call before the connection closes the socket, so a reused
    /// descriptor number starts clean.
    func stop() {
        lock.lock()
        stopped = true
        if added { epoll_ctl(epoll, EPOLL_CTL_DEL, socket, nil) }
        added = false
        lock.unlock()
        fire(error: PostgresError(code: .connectionLost, message: "the connection was closed"))
    }
}

/// The thread that waits on every PostgreSQL socket. Work that talks to the database
/// without pause (a benchmark, a bulk job) can run on it with
/// `withTaskExecutorPreference(PostgresEventLoop.executor) { … }`: each answer then
/// resumes the waiting task on the same thread, saving a thread hand-off per statement.
/// Keep CPU-heavy work off it: everything waiting on the database shares this thread.
public enum PostgresEventLoop {
    public static var executor: any TaskExecutor { Reactor.shared }
}
