import CLibPQ
import Foundation

/// Sends a cancel request for the statement in flight, from any thread.
///
/// Cancelling only while a statement is in flight keeps a late cancellation from hitting
/// the connection's next statement.
final class CancelHandle: @unchecked Sendable {
    private let lock = NSLock()
    private let cancel: OpaquePointer?
    private var inFlight = false
    private var requested = false

    init(connection: OpaquePointer) { cancel = PQgetCancel(connection) }

    deinit { if let cancel { PQfreeCancel(cancel) } }

    func begin() {
        lock.withLock {
            inFlight = true
            requested = false
        }
    }

    /// Ends the statement; returns whether a cancel was sent for it.
    func end() -> Bool {
        lock.withLock {
            inFlight = false
            return requested
        }
    }

    func requestCancel() {
        lock.withLock {
            guard inFlight, let cancel else { return }
            requested = true
            var message = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancel, &message, Int32(message.count))
        }
    }
}
