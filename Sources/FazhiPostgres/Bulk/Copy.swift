import CLibPQ
import Foundation

extension PostgresConnection {
    /// Streams `chunks` into `COPY … FROM STDIN` and returns the number of rows copied.
    ///
    /// Memory stays at about one chunk: each is sent before the next is read. If the
    /// sequence throws or the task is cancelled, the COPY is aborted and nothing is written.
    @discardableResult
    nonisolated(nonsending) public func copyIn<Chunks: AsyncSequence & Sendable>(
        _ sql: String, from chunks: Chunks
    ) async throws -> Int where Chunks.Element == [UInt8] {
        try await sendDeferred()
        let connection = try claim()
        defer { release() }
        try await start(copy: sql, expecting: .into, on: connection)
        do {
            for try await chunk in chunks {
                try Task.checkCancellation()
                try await sendWhenPossible(connection) {
                    chunk.withUnsafeBufferPointer { buffer in
                        buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
                    }
                }
                try await flush(connection)
            }
        } catch {
            let reason = String(describing: error)
            _ = try? await sendWhenPossible(connection) { PQputCopyEnd(connection, reason) }
            _ = try? await collect(connection)
            throw error
        }
        try await sendWhenPossible(connection) { PQputCopyEnd(connection, nil) }
        return try await collect(connection).rows.affectedRows
    }

    /// Runs `COPY … TO STDOUT` and hands its output to `consume` in chunks of about
    /// `chunkSize` bytes; returns the number of rows copied. The next data is read only
    /// after `consume` returns, so a slow consumer slows the server instead of filling memory.
    @discardableResult
    nonisolated(nonsending) public func copyOut(
        _ sql: String,
        chunkSize: Int = 256 * 1024,
        into consume: (Data) async throws -> Void
    ) async throws -> Int {
        try await sendDeferred()
        let connection = try claim()
        defer { release() }
        try await start(copy: sql, expecting: .out, on: connection)
        var chunk = Data()
        chunk.reserveCapacity(chunkSize + 64 * 1024)
        var consumerError: (any Error)?
        let rows = try await whileCancellable {
            while true {
                var buffer: UnsafeMutablePointer<CChar>?
                let length = PQgetCopyData(connection, &buffer, 1)
                if let buffer {
                    if length > 0, consumerError == nil {
                        chunk.append(UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: Int(length))
                    }
                    PQfreemem(buffer)
                }
                if length == -1 { break }
                if length == -2 { throw connectionError(connection) }
                if length == 0 {
                    try await readMore(connection)
                    continue
                }
                if chunk.count >= chunkSize, consumerError == nil {
                    do { try await consume(chunk) } catch {
                        // Stop the server, then read to the end so the connection stays usable.
                        consumerError = error
                        requestCancel()
                    }
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if consumerError == nil, !chunk.isEmpty { try await consume(chunk) }
            return try await collect(connection).rows.affectedRows
        }
        if let consumerError { throw consumerError }
        return rows
    }

    nonisolated(nonsending) private func start(copy sql: String, expecting direction: CopyDirection, on connection: OpaquePointer) async throws {
        guard PQsendQuery(connection, sql) == 1 else { throw connectionError(connection) }
        let entered = try await whileCancellable { try await collect(connection).copy }
        guard entered == direction else {
            if entered != nil { _ = try? await collect(connection) }
            throw PostgresError(
                code: .invalidParameter, message: "the statement is not a COPY \(direction == .into ? "FROM STDIN" : "TO STDOUT"): \(sql.prefix(80))")
        }
    }

    /// Calls `put` until libpq accepts the data, waiting for the socket while its buffers are full.
    nonisolated(nonsending) private func sendWhenPossible(_ connection: OpaquePointer, _ put: () -> Int32) async throws {
        while true {
            switch put() {
            case 1: return
            case 0:
                try await waitForSocket(.readOrWrite)
                try consumeInput(connection)
            default: throw connectionError(connection)
            }
        }
    }
}

extension PostgresConnection {
    /// Loads rows into a table that has row-level security, which `COPY FROM` refuses:
    /// the data goes into a temporary copy of the table's shape, then `INSERT … SELECT`
    /// moves it, so every row passes the table's policies. Call inside a transaction.
    @discardableResult
    nonisolated(nonsending) public func bulkLoad<Chunks: AsyncSequence & Sendable>(
        into table: String, columns: [String], csv chunks: Chunks
    ) async throws -> Int where Chunks.Element == [UInt8] {
        let target = try quoteIdentifier(table)
        let staging = try quoteIdentifier("fazhi_bulk_\(table)")
        let columnList = try columns.map { try quoteIdentifier($0) }.joined(separator: ", ")
        try await simpleQuery(
            """
            CREATE TEMPORARY TABLE \(staging) ON COMMIT DROP AS SELECT \(columnList) FROM \(target) WITH NO DATA
            """)
        try await copyIn("COPY \(staging) (\(columnList)) FROM STDIN WITH (FORMAT csv)", from: chunks)
        return try await execute("INSERT INTO \(target) (\(columnList)) SELECT \(columnList) FROM \(staging)")
    }
}
