import CLibPQ
import Foundation
import Synchronization

/// Wakes tasks when a socket is ready, from a few epoll threads (one per core, at most
/// four) that share every connection between them.
///
/// Connections run libpq in non-blocking mode on the caller's task and suspend here while
/// the server works, so no thread sleeps per connection and the cooperative pool is never
/// blocked. Sockets are registered level-triggered (see `SocketWatch`), so data already
/// waiting on one wakes its task at once and no readiness can be missed.
final class Reactor: TaskExecutor, @unchecked Sendable {
    static let loops: [Reactor] = (0..<min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 4)).map(Reactor.init)
    private static let nextLoop = Atomic<Int>(0)
    /// Which loop's thread this is (index + 1), so a task running there is recognised.
    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    /// The loop whose thread runs the caller, if any.
    static var current: Reactor? {
        let marker = Int(bitPattern: pthread_getspecific(threadKey))
        return marker == 0 ? nil : loops[marker - 1]
    }

    /// The loop for a new connection: the caller's own when it runs on one (so its
    /// answers resume it without a hand-off), otherwise the loops in turn.
    static func forNewConnection() -> Reactor {
        current ?? nextInTurn()
    }

    static func nextInTurn() -> Reactor {
        loops[nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    let index: Int
    let epoll: Int32
    /// Written to wake `epoll_wait` when a job arrives from another thread.
    private let wakeup: Int32
    private let lock = NSLock()
    private var jobs: [UnownedJob] = []
    private var retired: [Unmanaged<SocketWatch>] = []
    private var sleeping = false

    private init(index: Int) {
        self.index = index
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed: \(String(cString: strerror(errno)))")
        wakeup = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wakeup >= 0, "eventfd failed: \(String(cString: strerror(errno)))")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.ptr = nil
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &event)
        let thread = Thread { [self] in
            pthread_setspecific(Self.threadKey, UnsafeRawPointer(bitPattern: index + 1))
            run()
        }
        thread.name = "fazhi-postgres-\(index)"
        thread.start()
    }

    /// Starts watching `socket` until `SocketWatch.stop()`.
    func watch(_ socket: Int32) -> SocketWatch {
        SocketWatch(socket: socket, reactor: self)
    }

    /// Takes back the reference a registration held, once the reactor has finished the
    /// events it may already have read for it: at the start of its next loop.
    func retire(_ watch: Unmanaged<SocketWatch>) {
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
            for watch in done { watch.release() }  // after the previous loop's events were handled
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

/// The threads that wait on PostgreSQL sockets (one per core, at most four). Work that
/// talks to the database without pause (a request handler, a bulk job) can run on one with
/// `withTaskExecutorPreference(PostgresEventLoop.next()) { … }`: the pool then lends it a
/// connection of the same loop when it has one, and each answer resumes the waiting task
/// on the same thread, saving a thread hand-off per statement. Keep CPU-heavy work off
/// them: everything waiting on the database shares these threads.
public enum PostgresEventLoop {
    /// The first loop.
    public static var executor: any TaskExecutor { Reactor.loops[0] }
    /// Every loop.
    public static var executors: [any TaskExecutor] { Reactor.loops }
    /// The loops in turn, to spread tasks across them.
    public static func next() -> any TaskExecutor { Reactor.nextInTurn() }
}
