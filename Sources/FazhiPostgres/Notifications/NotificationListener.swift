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
    /// The listener opens a connection of its own, outside the pool, since it stays busy
    /// waiting. The sequence ends with an error if the connection breaks (notifications
    /// sent meanwhile are lost; re-read the source of truth after reconnecting), and the
    /// connection closes when the consumer stops iterating.
    public func notifications(on channel: String) -> AsyncThrowingStream<PostgresNotification, any Error> {
        let (stream, continuation) = AsyncThrowingStream<PostgresNotification, any Error>.makeStream()
        let configuration = configuration
        let listening = Task {
            do {
                let connection = try await PostgresConnection.connect(configuration)
                do {
                    try await connection.listen(on: channel, continuation: continuation)
                } catch is CancellationError {
                    // The consumer went away.
                } catch {
                    connection.close()
                    throw error
                }
                connection.close()
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in listening.cancel() }
        return stream
    }
}

extension PostgresConnection {
    nonisolated(nonsending) fileprivate func listen(
        on channel: String,
        continuation: AsyncThrowingStream<PostgresNotification, any Error>.Continuation
    ) async throws {
        try await simpleQuery("LISTEN \(try quoteIdentifier(channel))")
        let connection = try claim()
        defer { release() }
        while true {
            while let notice = PQnotifies(connection) {
                let notification = PostgresNotification(
                    channel: String(cString: notice.pointee.relname),
                    payload: String(cString: notice.pointee.extra),
                    senderPID: notice.pointee.be_pid)
                PQfreemem(notice)
                continuation.yield(notification)
            }
            try await readMore(connection, cancellable: true)
        }
    }
}
