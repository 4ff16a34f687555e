import CLibPQ
import Foundation

/// One `NOTIFY` received.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
    /// The server process that sent it.
    public let senderPID: Int32
}

extension PostgresConnection {
    /// Listens on `channel` and delivers each notification as it arrives. The sequence
    /// holds this connection for itself, so give it one that is not in a pool; it ends
    /// with an error if the connection breaks, and stops listening when the consumer
    /// stops iterating.
    public nonisolated func notifications(on channel: String) -> AsyncThrowingStream<PostgresNotification, any Error> {
        let (stream, continuation) = AsyncThrowingStream<PostgresNotification, any Error>.makeStream()
        let stop = StopFlag()
        continuation.onTermination = { _ in stop.set() }
        Task {
            do {
                try await self.listen(on: channel, continuation: continuation, stop: stop)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return stream
    }

    private func listen(
        on channel: String,
        continuation: AsyncThrowingStream<PostgresNotification, any Error>.Continuation,
        stop: StopFlag
    ) async throws {
        try await simpleQuery("LISTEN \(try quoteIdentifier(channel))")
        // The loop owns this connection's thread; it wakes at least every 200 ms to see
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
        try? await simpleQuery("UNLISTEN \(try quoteIdentifier(channel))")
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
