import CLibPQ
import Foundation

/// One `NOTIFY` received.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
    /// The server process that sent it.
    public let senderPID: Int32
}

extension ConnectionPool {
    /// Listens on `channel` and delivers each notification as it arrives.
    ///
    /// The listener opens a connection of its own, outside the pool: waiting for
    /// notifications occupies that connection's thread, so nothing else may share it. The
    /// sequence ends with an error if the connection breaks (notifications sent meanwhile
    /// are lost; re-read the source of truth after reconnecting), and the connection closes
    /// when the consumer stops iterating.
    public nonisolated func notifications(on channel: String) -> AsyncThrowingStream<PostgresNotification, any Error> {
        let (stream, continuation) = AsyncThrowingStream<PostgresNotification, any Error>.makeStream()
        let stop = StopFlag()
        continuation.onTermination = { _ in stop.set() }
        let configuration = configuration
        Task {
            do {
                let connection = try await PostgresConnection.connect(configuration)
                do {
                    try await connection.listen(on: channel, continuation: continuation, stop: stop)
                    await connection.close()
                    continuation.finish()
                } catch {
                    await connection.close()
                    throw error
                }
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return stream
    }
}

extension PostgresConnection {
    fileprivate func listen(
        on channel: String,
        continuation: AsyncThrowingStream<PostgresNotification, any Error>.Continuation,
        stop: StopFlag
    ) async throws {
        try await simpleQuery("LISTEN \(try quoteIdentifier(channel))")
        // This loop holds the connection's thread; it wakes at least every 200 ms to see
        // whether the consumer went away.
        while !stop.isSet {
            let connection = try live()
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 200)
            if ready < 0 && errno != EINTR { throw connectionError() }
            guard ready > 0 else { continue }
            guard PQconsumeInput(connection) == 1 else { throw connectionError() }
            while let notice = PQnotifies(connection) {
                let notification = PostgresNotification(
                    channel: String(cString: notice.pointee.relname),
                    payload: String(cString: notice.pointee.extra),
                    senderPID: notice.pointee.be_pid)
                PQfreemem(notice)
                continuation.yield(notification)
            }
        }
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
