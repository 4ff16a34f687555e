import FazhiDomain
import FazhiPostgres
import FazhiTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(5))) struct CopyTests {
    @Test func copyInAndOutRoundTrip() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            try await c.simpleQuery("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)")
            let lines = (1...10_000).map { "\($0)\t名称 \($0)\n" }
            let chunks = stride(from: 0, to: lines.count, by: 1000).map { Array(lines[$0..<min($0 + 1000, lines.count)].joined().utf8) }
            let copied = try await c.copyIn("COPY items (id, name) FROM STDIN", from: stream(chunks))
            #expect(copied == 10_000)
            #expect(try await c.scalar("SELECT name FROM items WHERE id = 4321", as: String.self) == "名称 4321")
            var received = Data()
            let rows = try await c.copyOut("COPY (SELECT id, name FROM items ORDER BY id) TO STDOUT", chunkSize: 4096) { received.append($0) }
            #expect(rows == 10_000)
            #expect(String(decoding: received, as: UTF8.self) == lines.joined())
            c.close()
        }
    }

    @Test func aFailingSourceAbortsTheCopyAndWritesNothing() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            try await c.simpleQuery("CREATE TABLE items (id int PRIMARY KEY)")
            struct SourceBroke: Error {}
            let failing = AsyncThrowingStream<[UInt8], any Error> { continuation in
                continuation.yield(Array("1\n2\n".utf8))
                continuation.finish(throwing: SourceBroke())
            }
            await #expect(throws: SourceBroke.self) { try await c.copyIn("COPY items FROM STDIN", from: failing) }
            #expect(try await c.scalar("SELECT count(*) FROM items", as: Int.self) == 0)
            let bad = await #expect(throws: PostgresError.self) { try await c.copyIn("COPY items FROM STDIN", from: stream([Array("x\n".utf8)])) }
            #expect(bad?.sqlState == "22P02")
            #expect(try await c.scalar("SELECT 1", as: Int.self) == 1)
            c.close()
        }
    }

    /// A gibibyte each way, with the process's resident memory sampled throughout.
    @Test(.timeLimit(.minutes(5))) func aGibibyteEachWayInBoundedMemory() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            try await c.simpleQuery("CREATE UNLOGGED TABLE blobs (line text)")
            let line = Array((String(repeating: "法治", count: 170) + "\n").utf8)  // 1021 bytes
            let chunk = Array((0..<256).map { _ in line }.joined())
            let gibibyte = 1 << 30
            let chunkCount = gibibyte / chunk.count + 1
            let sampler = MemorySampler()
            let baseline = sampler.start()
            let copiedIn = try await c.copyIn("COPY blobs FROM STDIN", from: RepeatedChunks(chunk: chunk, count: chunkCount))
            #expect(copiedIn == chunkCount * 256)
            var bytesOut = 0
            let copiedOut = try await c.copyOut("COPY blobs TO STDOUT") { bytesOut += $0.count }
            let peak = sampler.stop()
            #expect(copiedOut == copiedIn)
            #expect(bytesOut >= gibibyte)
            #expect(peak - baseline < 64 << 20, "peak RSS grew by \((peak - baseline) >> 20) MiB")
            c.close()
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct PipelineTests {
    @Test func insertsManyRowsInOneBatch() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            try await c.simpleQuery("CREATE TABLE events (id int PRIMARY KEY, label text NOT NULL, at date NOT NULL)")
            let day = try CalendarDay(iso: "2023-12-04")
            let sets: [[any PostgresEncodable]] = (0..<20_000).map { [$0, "事件 \($0)", day] }
            let affected = try await c.pipeline("INSERT INTO events (id, label, at) VALUES ($1, $2, $3)", parameterSets: sets)
            #expect(affected == 20_000)
            #expect(try await c.scalar("SELECT count(*) FROM events", as: Int.self) == 20_000)
            #expect(try await c.scalar("SELECT label FROM events WHERE id = 19999", as: String.self) == "事件 19999")
            c.close()
        }
    }

    @Test func anErrorInTheBatchRollsBackTheBatchAndNamesTheCause() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            try await c.simpleQuery("CREATE TABLE events (id int CONSTRAINT events_pk PRIMARY KEY)")
            let sets: [[any PostgresEncodable]] = [[1], [2], [2], [3]]
            let error = await #expect(throws: PostgresError.self) { try await c.pipeline("INSERT INTO events VALUES ($1)", parameterSets: sets) }
            #expect(error?.code == .uniqueViolation)
            #expect(error?.constraint == "events_pk")
            #expect(try await c.scalar("SELECT count(*) FROM events", as: Int.self) == 0)
            // The connection left pipeline mode cleanly.
            #expect(try await c.execute("INSERT INTO events VALUES ($1)", [9]) == 1)
            c.close()
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct NotificationTests {
    @Test func notificationsArriveAsAnAsyncSequence() async throws {
        try await TestDatabase.with { db in
            var configuration = db.owner
            configuration.applicationName = "fazhi-listener"
            let listenerPool = ConnectionPool(configuration: configuration)
            let sender = try await db.ownerConnection()
            let received = Task {
                var notifications: [PostgresNotification] = []
                for try await notification in listenerPool.notifications(on: "disclosure_outbox") {
                    notifications.append(notification)
                    if notifications.count == 3 { break }
                }
                return notifications
            }
            // LISTEN is issued asynchronously: wait until the server shows the listener.
            for _ in 0..<500 {
                let listening: Int = try await sender.scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fazhi-listener' AND query LIKE 'LISTEN%'")
                if listening == 1 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            for index in 0..<3 {
                try await sender.query("SELECT pg_notify($1, $2)", ["disclosure_outbox", "条目 \(index)"])
            }
            let notifications = try await received.value
            #expect(notifications.map(\.payload) == ["条目 0", "条目 1", "条目 2"])
            #expect(notifications.allSatisfy { $0.channel == "disclosure_outbox" })
            #expect(notifications.first?.senderPID == sender.backendPID)
            // The consumer stopped: the listener's connection closes.
            var closed = false
            for _ in 0..<200 where !closed {
                closed = try await sender.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fazhi-listener'", as: Int.self) == 0
                if !closed { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(closed)
            sender.close()
        }
    }
}

func stream(_ chunks: [[UInt8]]) -> AsyncStream<[UInt8]> {
    AsyncStream { continuation in
        for chunk in chunks { continuation.yield(chunk) }
        continuation.finish()
    }
}

/// Chunks of a fixed block, produced on demand: a gibibyte without holding one.
struct RepeatedChunks: AsyncSequence, Sendable {
    let chunk: [UInt8]
    let count: Int
    struct AsyncIterator: AsyncIteratorProtocol {
        let chunk: [UInt8]
        var remaining: Int
        mutating func next() async -> [UInt8]? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return chunk
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunk: chunk, remaining: count) }
}
