import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
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

    /// A gibibyte each way in bounded memory. Measured in a process of its own
    /// (`fazhi-bench copy-in` and `copy-out`, the client's own code), because this test
    /// process's memory is shared with every test running beside it: their allocations
    /// would be counted as the COPY's.
    @Test(.timeLimit(.minutes(5))) func aGibibyteEachWayInBoundedMemory() async throws {
        try await TestDatabase.with { db in
            let c = try await db.ownerConnection()
            try await c.simpleQuery("CREATE UNLOGGED TABLE blobs (line text); GRANT ALL ON blobs TO PUBLIC")
            c.close()
            let line = Array((String(repeating: "法治", count: 170) + "\n").utf8)  // 1021 bytes
            let chunk = Data((0..<256).map { _ in line }.joined())
            let gibibyte = 1 << 30
            let chunkCount = gibibyte / chunk.count + 1
            let url = try db.ownerURL

            let copyIn = try await Self.bench(["copy-in", "--url", url, "--file", "/dev/stdin", "--table", "blobs"]) { input in
                for _ in 0..<chunkCount { try input.write(contentsOf: chunk) }
            }
            #expect(copyIn.rows == chunkCount * 256, "\(copyIn.output)")
            #expect(copyIn.growth < 64 << 20, "copy-in grew the process by \(copyIn.growth >> 20) MiB: \(copyIn.output)")
            let copyOut = try await Self.bench(["copy-out", "--url", url, "--file", "/dev/null", "--table", "blobs"])
            #expect(copyOut.rows == copyIn.rows, "\(copyOut.output)")
            #expect(copyOut.bytes >= gibibyte, "\(copyOut.output)")
            #expect(copyOut.growth < 64 << 20, "copy-out grew the process by \(copyOut.growth >> 20) MiB: \(copyOut.output)")
        }
    }

    struct CopyRun {
        let rows: Int
        let bytes: Int
        let growth: Int
        let output: String
    }

    /// Runs `fazhi-bench` (built beside the tests) with `arguments`, feeding its standard
    /// input from `feed` on a thread of its own, and reads its report line:
    /// "copy-in: R rows, B MiB in … peak RSS … (growth G MiB)".
    static func bench(_ arguments: [String], feed: (@Sendable (FileHandle) throws -> Void)? = nil) async throws -> CopyRun {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                            "fazhi-bench")
                        process.arguments = arguments
                        let output = Pipe()
                        let input = Pipe()
                        process.standardOutput = output
                        process.standardError = output
                        process.standardInput = feed == nil ? FileHandle.nullDevice : input
                        try process.run()
                        if let feed {
                            try feed(input.fileHandleForWriting)
                            try input.fileHandleForWriting.close()
                        }
                        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                        process.waitUntilExit()
                        func mebibytes(after label: String) -> Int {
                            guard let range = text.range(of: label) else { return Int.max }
                            let number = text[range.upperBound...].prefix { $0.isNumber || $0 == "." }
                            return Double(number).map { Int($0 * 1_048_576) } ?? Int.max
                        }
                        let rows = text.firstMatch(of: /: ([0-9]+) rows/).flatMap { Int($0.1) } ?? -1
                        return CopyRun(rows: rows, bytes: mebibytes(after: "rows, "), growth: mebibytes(after: "growth "), output: text)
                    })
            }
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
