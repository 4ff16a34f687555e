import CLibPQ
import Foundation

/// One connection's socket in its reactor's epoll set, and the task waiting on it (at most
/// one: a connection runs one operation at a time).
///
/// The socket is registered from the connection's opening to its closing, always
/// level-triggered, so input already waiting is reported and none can be missed. It is
/// registered in one of two ways, chosen per wait:
/// - watched: reported whenever readable. Used by a task waiting on the reactor's own
///   thread: its answer resumes it on that thread before the reactor asks epoll again, so
///   the bytes are read before they could be reported twice, and a statement costs no
///   `epoll_ctl` at all.
/// - armed once (`EPOLLONESHOT`): reported once, then quiet until armed again. Used by
///   waits from other threads, where the reactor could report the same bytes again before
///   the task, resumed elsewhere, has read them.
///
/// Between statements the socket stays registered, so input that arrives while nothing
/// waits (on an idle connection almost always the server's goodbye: a terminated backend,
/// a shutdown) is recorded by the reactor, and `receivedUnasked` answers the pool's health
/// check without a system call. epoll holds a reference to the watch until `stop()`, and
/// the reactor drops it only after the events it already read, so an event never reaches
/// a freed watch.
final class SocketWatch: @unchecked Sendable {
    enum Interest: Equatable {
        case read, readOrWrite

        fileprivate var events: UInt32 {
            switch self {
            case .read: return EPOLLIN.rawValue
            case .readOrWrite: return EPOLLIN.rawValue | EPOLLOUT.rawValue
            }
        }
    }

    private enum Mode: Equatable {
        /// Reports nothing: not in the epoll set, or armed once and already reported.
        case quiet
        case armedOnce(Interest)
        case watched
    }

    let socket: Int32
    private unowned let reactor: Reactor
    private let lock = NSLock()
    private var waiter: UnsafeContinuation<Void, any Error>?
    private var mode = Mode.quiet
    private var inEpollSet = false
    private var retained: Unmanaged<SocketWatch>?
    /// The reactor reported the socket ready while nothing waited on it.
    private var readyUnclaimed = false
    private var stopped = false

    init(socket: Int32, reactor: Reactor) {
        self.socket = socket
        self.reactor = reactor
        retained = Unmanaged.passRetained(self)
        lock.withLock { armForIdle() }
    }

    /// Suspends until the socket is ready for `interest` (or has failed: the next libpq
    /// call then says why). With `cancellable`, task cancellation ends the wait with
    /// CancellationError; a statement in flight waits regardless, since its connection
    /// must read the server's answer to stay usable.
    ///
    /// It runs on the caller's executor (`nonsending`): hopping off the connection's actor
    /// to wait would cost a job per statement, and on a reactor's thread would let the
    /// reactor poll once more before the wait is registered.
    nonisolated(nonsending) func wait(_ interest: Interest, cancellable: Bool = false) async throws {
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

    /// Every statement waits here, so it uses an unchecked continuation: the lock
    /// guarantees each is resumed exactly once (by `fire`, `stop` or cancellation).
    nonisolated(nonsending) private func suspend(_ interest: Interest, cancellable: Bool) async throws {
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
            if readyUnclaimed {
                // Reported while nobody waited; the caller reads now, and waits again if
                // that was not enough (the socket is then registered afresh).
                readyUnclaimed = false
                lock.unlock()
                continuation.resume()
                return
            }
            precondition(waiter == nil, "two waits on one PostgreSQL socket")
            waiter = continuation
            let failure = register(interest == .read ? readMode() : .armedOnce(.readOrWrite))
            lock.unlock()
            if let failure {
                resumeWaiter(throwing: PostgresError(code: .connectionLost, message: "cannot watch the connection's socket: \(failure)"))
            }
        }
    }

    /// Called by the connection when a statement is done and nothing waits: keeps the
    /// socket registered so input arriving while idle is noticed.
    func settle() {
        lock.withLock { armForIdle() }
    }

    /// Whether the server sent something nobody asked for (see the type's comment).
    var receivedUnasked: Bool {
        lock.withLock { readyUnclaimed }
    }

    /// On the reactor's thread, for each event epoll reports.
    func fire() {
        lock.lock()
        if case .armedOnce = mode { mode = .quiet }
        if let continuation = waiter {
            waiter = nil
            lock.unlock()
            continuation.resume()
            return
        }
        if mode == .watched && readyUnclaimed {
            // Reported twice and still not read: nobody will read it soon (an idle
            // connection's goodbye), so stop the reports until someone waits again. Once is
            // normal: a task about to wait on this thread reads it before the next poll.
            epoll_ctl(reactor.epoll, EPOLL_CTL_DEL, socket, nil)
            inEpollSet = false
            mode = .quiet
        }
        readyUnclaimed = true
        lock.unlock()
    }

    private func resumeWaiter(throwing error: any Error) {
        let continuation: UnsafeContinuation<Void, any Error>? = lock.withLock {
            defer { waiter = nil }
            return waiter
        }
        continuation?.resume(throwing: error)
    }

    /// Stops watching; call before the connection closes the socket, so a reused
    /// descriptor number starts clean.
    func stop() {
        let registration: Unmanaged<SocketWatch>? = lock.withLock {
            stopped = true
            if inEpollSet { epoll_ctl(reactor.epoll, EPOLL_CTL_DEL, socket, nil) }
            inEpollSet = false
            mode = .quiet
            defer { retained = nil }
            return retained
        }
        resumeWaiter(throwing: PostgresError(code: .connectionLost, message: "the connection was closed"))
        if let registration { reactor.retire(registration) }
    }

    // MARK: Under the lock

    /// Registers the socket for an idle spell, unless it already is. Input reported
    /// earlier and not waited for is forgotten: registering again reports it again if it is
    /// still unread, and a socket that cannot be registered counts as unhealthy.
    private func armForIdle() {
        guard !stopped, waiter == nil else { return }
        // Forget input reported before: if it is still unread, the registration (kept, or
        // made afresh below) reports it again.
        readyUnclaimed = false
        guard mode == .quiet else { return }
        if register(readMode()) != nil {
            readyUnclaimed = true
        }
    }

    /// How to wait for input from the calling thread (see the type's comment).
    private func readMode() -> Mode {
        Reactor.current === reactor ? .watched : .armedOnce(.read)
    }

    /// Puts the socket in `target` mode; returns why it could not.
    private func register(_ target: Mode) -> String? {
        if mode == target { return nil }
        guard let retained else { return "the connection was closed" }
        var event = epoll_event()
        switch target {
        case .quiet: preconditionFailure("quiet is reached by reporting, not by registering")
        case .armedOnce(let interest): event.events = interest.events | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue
        case .watched: event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
        }
        event.data.ptr = retained.toOpaque()
        guard epoll_ctl(reactor.epoll, inEpollSet ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, socket, &event) == 0 else {
            return String(cString: strerror(errno))
        }
        inEpollSet = true
        mode = target
        return nil
    }
}
