import CLibPQ
import Foundation

/// Wakes tasks when a socket is ready, from one epoll thread shared by every connection.
///
/// Connections run libpq in non-blocking mode on the caller's task and suspend here while
/// the server works, so no thread sleeps per connection and the cooperative pool is never
/// blocked. Each socket is registered once, edge-triggered, for input; a wait therefore
/// costs no system call of its own, and input that arrives while nobody waits (a
/// terminated backend's goodbye) is remembered for the pool's health check.
final class Reactor: TaskExecutor, @unchecked Sendable {
    static let shared = Reactor()

    let epoll: Int32
    /// Written to wake `epoll_wait` when a job arrives from another thread.
    private let wakeup: Int32
    private let lock = NSLock()
    private var jobs: [UnownedJob] = []
    private var retired: [SocketWatch] = []
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

    /// Starts watching `socket` until `SocketWatch.stop()`.
    func watch(_ socket: Int32) throws -> SocketWatch {
        try SocketWatch(socket: socket, reactor: self)
    }

    /// Keeps a stopped watch alive until the reactor has finished the events it may already
    /// hold for it: it is released at the start of the next loop.
    func retire(_ watch: SocketWatch) {
        lock.withLock { retired.append(watch) }
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
        while true {
            let (batch, done) = lock.withLock {
                defer {
                    jobs.removeAll(keepingCapacity: true)
                    retired.removeAll(keepingCapacity: true)
                }
                return (jobs, retired)
            }
            _ = done  // released here, after the previous loop's events were handled
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
                Unmanaged<SocketWatch>.fromOpaque(pointer).takeUnretainedValue().fire(events[index].events)
            }
        }
    }
}

/// One socket's registration with the reactor, and the task waiting on it (at most one:
/// a connection runs one operation at a time).
///
/// Edge-triggered: an event says that something arrived, not how much is left, so after
/// reading, callers check `hasUnreadInput` before waiting again.
final class SocketWatch: @unchecked Sendable {
    enum Interest { case read, readOrWrite }

    let socket: Int32
    private unowned let reactor: Reactor
    private let lock = NSLock()
    private var waiter: UnsafeContinuation<Void, any Error>?
    private var waitingForWrite = false
    /// Input arrived (or the peer hung up) since a wait last took it.
    private var inputSignalled = false
    private var outputSignalled = false
    private var stopped = false

    private static let inputEvents = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue

    fileprivate init(socket: Int32, reactor: Reactor) throws {
        self.socket = socket
        self.reactor = reactor
        var event = epoll_event()
        event.events = Self.inputEvents
        event.data.ptr = Unmanaged.passUnretained(self).toOpaque()
        guard epoll_ctl(reactor.epoll, EPOLL_CTL_ADD, socket, &event) == 0 else {
            throw PostgresError(code: .connectionFailed, message: "cannot watch the connection's socket: \(String(cString: strerror(errno)))")
        }
    }

    /// Suspends until input arrives (or, for `.readOrWrite`, the socket can take more
    /// output), or returns at once when that already happened since the last wait. With
    /// `cancellable`, task cancellation ends the wait with CancellationError; a statement
    /// in flight waits regardless, since its connection must read the answer to stay usable.
    func wait(_ interest: Interest, cancellable: Bool = false) async throws {
        if takeSignal(interest) { return }
        if cancellable {
            try await withTaskCancellationHandler {
                try await suspend(interest, cancellable: true)
            } onCancel: {
                resumeWaiter(throwing: CancellationError())
            }
        } else {
            try await suspend(interest, cancellable: false)
        }
    }

    /// Every statement waits here, so it uses an unchecked continuation: the lock below
    /// guarantees each is resumed exactly once (by `fire`, `stop` or cancellation).
    private func suspend(_ interest: Interest, cancellable: Bool) async throws {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
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
            if inputSignalled || (interest == .readOrWrite && outputSignalled) {
                inputSignalled = false
                outputSignalled = false
                lock.unlock()
                continuation.resume()
                return
            }
            precondition(waiter == nil, "two waits on one PostgreSQL socket")
            waiter = continuation
            if interest == .readOrWrite {
                // Output readiness is asked for only while a write is blocked; otherwise
                // every send would wake the reactor for nothing.
                waitingForWrite = true
                var event = epoll_event()
                event.events = Self.inputEvents | EPOLLOUT.rawValue
                event.data.ptr = Unmanaged.passUnretained(self).toOpaque()
                epoll_ctl(reactor.epoll, EPOLL_CTL_MOD, socket, &event)
            }
            lock.unlock()
        }
    }

    private func takeSignal(_ interest: Interest) -> Bool {
        lock.withLock {
            guard inputSignalled || (interest == .readOrWrite && outputSignalled) else { return false }
            inputSignalled = false
            outputSignalled = false
            return true
        }
    }

    fileprivate func fire(_ events: UInt32) {
        lock.lock()
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { inputSignalled = true }
        if events & (EPOLLOUT.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { outputSignalled = true }
        let ready = inputSignalled || (waitingForWrite && outputSignalled)
        guard ready, let continuation = waiter else {
            lock.unlock()
            return
        }
        waiter = nil
        inputSignalled = false
        outputSignalled = false
        if waitingForWrite {
            waitingForWrite = false
            var event = epoll_event()
            event.events = Self.inputEvents
            event.data.ptr = Unmanaged.passUnretained(self).toOpaque()
            epoll_ctl(reactor.epoll, EPOLL_CTL_MOD, socket, &event)
        }
        lock.unlock()
        continuation.resume()
    }

    private func resumeWaiter(throwing error: any Error) {
        let continuation: UnsafeContinuation<Void, any Error>? = lock.withLock {
            defer { waiter = nil }
            return waiter
        }
        continuation?.resume(throwing: error)
    }

    /// Whether input arrived while nobody waited, confirmed by asking the socket: the
    /// signal may be left over from the end of the last answer, which was read already.
    func receivedUnaskedInput() -> Bool {
        let signalled = lock.withLock {
            defer { inputSignalled = false }
            return inputSignalled
        }
        guard signalled else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) != 0
    }

    /// Whether the socket holds bytes nobody has read: after a partial read, there will be
    /// no new event for them.
    func hasUnreadInput() -> Bool {
        var byte: UInt8 = 0
        return recv(socket, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    /// Stops watching; call before the connection closes the socket, so a reused
    /// descriptor number starts clean.
    func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        if first { epoll_ctl(reactor.epoll, EPOLL_CTL_DEL, socket, nil) }
        lock.unlock()
        resumeWaiter(throwing: PostgresError(code: .connectionLost, message: "the connection was closed"))
        if first { reactor.retire(self) }
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
