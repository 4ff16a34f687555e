import CLibPQ
import Foundation

/// Sends a cancel request for the statement in flight.
///
/// PQcancel opens a connection of its own and waits for it, so it runs on a short-lived
/// thread, never on the cancelling task's. A statement ending meanwhile waits for the
/// request to have gone out, so a late cancel cannot hit the connection's next statement.
final class CancelHandle: @unchecked Sendable {
    private let condition = NSCondition()
    private let cancel: OpaquePointer?
    private var inFlight = false
    private var requested = false
    private var sending = false

    init(connection: OpaquePointer) { cancel = PQgetCancel(connection) }

    deinit { if let cancel { PQfreeCancel(cancel) } }

    func begin() {
        condition.lock()
        inFlight = true
        requested = false
        condition.unlock()
    }

    /// Ends the statement; returns whether a cancel was sent for it.
    func end() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while sending { condition.wait() }
        inFlight = false
        return requested
    }

    func requestCancel() {
        condition.lock()
        guard inFlight, !requested, cancel != nil else {
            condition.unlock()
            return
        }
        requested = true
        sending = true
        condition.unlock()
        Thread.detachNewThread { [self] in
            var message = [CChar](repeating: 0, count: 256)
            _ = PQcancel(self.cancel, &message, Int32(message.count))
            condition.lock()
            sending = false
            condition.broadcast()
            condition.unlock()
        }
    }
}
