import CLibPQ
import Foundation

/// Answers "may this idle connection be reused?" from any thread.
///
/// The pool asks before lending a connection and when taking it back. Asking through the
/// connection's actor would cost two thread switches each time, more than the query
/// itself; while no statement runs nothing else touches the connection, so reading it
/// here is safe. The lock only guards against the connection being closed meanwhile.
final class IdleProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: OpaquePointer?
    private var watch: SocketWatch?

    func attach(_ connection: OpaquePointer, watch: SocketWatch) {
        lock.withLock {
            self.connection = connection
            self.watch = watch
        }
    }

    func detach() {
        lock.withLock {
            connection = nil
            watch = nil
        }
    }

    /// Open and outside any transaction; nothing read from the socket.
    func isIdle() -> Bool {
        lock.withLock {
            guard let connection else { return false }
            return PQstatus(connection) == CONNECTION_OK && PQtransactionStatus(connection) == PQTRANS_IDLE
        }
    }

    /// Idle, and nothing arrived on the socket since the last statement (as its reactor
    /// saw it: no system call here).
    func isHealthy() -> Bool {
        lock.withLock {
            guard let connection, let watch, PQstatus(connection) == CONNECTION_OK,
                PQtransactionStatus(connection) == PQTRANS_IDLE
            else { return false }
            return !watch.receivedUnasked
        }
    }
}
