import CLibPQ
import Foundation

extension PostgresConnection {
    /// Streams `chunks` into `COPY … FROM STDIN` and returns the number of rows copied.
    ///
    /// Memory stays at one chunk: each is handed to libpq, which blocks this connection's
    /// thread while the socket is full. If the sequence throws, the COPY is aborted and
    /// nothing is written.
    @discardableResult
    public func copyIn<Chunks: AsyncSequence & Sendable>(
        _ sql: String, from chunks: Chunks
    ) async throws -> Int where Chunks.Element == [UInt8] {
        try await startCopy(sql, expecting: PGRES_COPY_IN)
        do {
            for try await chunk in chunks {
                try Task.checkCancellation()
                let sent = try withRawConnection { connection in
                    chunk.withUnsafeBufferPointer { buffer in
                        buffer.withMemoryRebound(to: CChar.self) {
                            PQputCopyData(connection, $0.baseAddress, Int32($0.count))
                        }
                    }
                }
                guard sent == 1 else { throw connectionError() }
            }
        } catch {
            let reason = String(describing: error)
            _ = try? withRawConnection { PQputCopyEnd($0, reason) }
            _ = try? finishCopy()
            throw error
        }
        guard try withRawConnection({ PQputCopyEnd($0, nil) }) == 1 else { throw connectionError() }
        return try finishCopy()
    }

    /// Runs `COPY … TO STDOUT` and hands its output to `consume` in chunks of about
    /// `chunkSize` bytes; returns the number of rows copied. The next chunk is read only
    /// after `consume` returns, so a slow consumer slows the server instead of filling memory.
    @discardableResult
    public func copyOut(
        _ sql: String,
        chunkSize: Int = 256 * 1024,
        into consume: (Data) async throws -> Void
    ) async throws -> Int {
        try await startCopy(sql, expecting: PGRES_COPY_OUT)
        var chunk = Data()
        chunk.reserveCapacity(chunkSize + 64 * 1024)
        do {
            while true {
                if Task.isCancelled { cancellation?.requestCancel() }
                let received: Int32 = try withRawConnection { connection in
                    var buffer: UnsafeMutablePointer<CChar>?
                    let length = PQgetCopyData(connection, &buffer, 0)
                    if let buffer {
                        if length > 0 { chunk.append(UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: Int(length)) }
                        PQfreemem(buffer)
                    }
                    return length
                }
                if received == -1 { break }
                if received == -2 { throw connectionError() }
                if chunk.count >= chunkSize {
                    try await consume(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { try await consume(chunk) }
        } catch {
            cancellation?.requestCancel()
            _ = try? drainCopyOut()
            _ = try? finishCopy()
            throw error
        }
        return try finishCopy()
    }

    private func startCopy(_ sql: String, expecting status: ExecStatusType) async throws {
        let connection = try live()
        guard let cancellation else { throw Self.closedError }
        cancellation.begin()
        let result = PQexec(connection, sql)
        _ = cancellation.end()
        guard let result else { throw connectionError() }
        if PQresultStatus(result) == status {
            PQclear(result)
            cancellation.begin()  // in flight until finishCopy
            return
        }
        if PQresultStatus(result) == PGRES_FATAL_ERROR {
            let error = Self.error(from: result, connection: connection, cancelled: false)
            PQclear(result)
            throw error
        }
        PQclear(result)
        throw PostgresError(code: .invalidParameter, message: "the statement is not a COPY in the expected direction: \(sql.prefix(80))")
    }

    private func drainCopyOut() throws {
        try withRawConnection { connection in
            var buffer: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(connection, &buffer, 0) >= 0 {
                if let buffer { PQfreemem(buffer) }
                buffer = nil
            }
        }
    }

    /// Reads the COPY's final result; the rows count comes from its command tag.
    private func finishCopy() throws -> Int {
        let cancelled = cancellation?.end() ?? false
        let connection = try withRawConnection { $0 }
        var firstError: PostgresError?
        var rows = 0
        while let result = PQgetResult(connection) {
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK:
                rows = Int(String(cString: PQcmdTuples(result))) ?? 0
            case PGRES_COPY_IN:
                PQputCopyEnd(connection, "abandoned")
            default:
                if firstError == nil { firstError = Self.error(from: result, connection: connection, cancelled: cancelled) }
            }
            PQclear(result)
        }
        if let firstError { throw firstError }
        if PQstatus(connection) != CONNECTION_OK { throw connectionError() }
        return rows
    }
}

extension PostgresConnection {
    /// Loads rows into a table that has row-level security, which `COPY FROM` refuses:
    /// the data goes into a temporary copy of the table's shape, then `INSERT … SELECT`
    /// moves it, so every row passes the table's policies. Call inside a transaction.
    @discardableResult
    public func bulkLoad<Chunks: AsyncSequence & Sendable>(
        into table: String, columns: [String], csv chunks: Chunks
    ) async throws -> Int where Chunks.Element == [UInt8] {
        let target = try quoteIdentifier(table)
        let staging = try quoteIdentifier("fazhi_bulk_\(table)")
        let columnList = try columns.map { try quoteIdentifier($0) }.joined(separator: ", ")
        try await simpleQuery("""
            CREATE TEMPORARY TABLE \(staging) ON COMMIT DROP AS SELECT \(columnList) FROM \(target) WITH NO DATA
            """)
        try await copyIn("COPY \(staging) (\(columnList)) FROM STDIN WITH (FORMAT csv)", from: chunks)
        return try await execute("INSERT INTO \(target) (\(columnList)) SELECT \(columnList) FROM \(staging)")
    }
}
