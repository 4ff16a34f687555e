import CLibPQ
import Foundation

extension PostgresConnection {
    /// Runs one statement once per parameter set through libpq's pipeline mode: all of
    /// them are sent without waiting for answers, then one Sync ends the batch, so the
    /// batch costs about one round trip instead of one per row. Outside a transaction the
    /// batch is atomic (one implicit transaction); the first error is thrown.
    /// Returns the total number of rows affected.
    @discardableResult
    public func pipeline(_ sql: String, parameterSets: [[any PostgresEncodable]]) async throws -> Int {
        guard let first = parameterSets.first else { return 0 }
        let encodedFirst = try EncodedParameters(first)
        let name = try prepare(sql, encodedFirst)
        let connection = try live()
        guard PQenterPipelineMode(connection) == 1, PQsetnonblocking(connection, 1) == 0 else {
            throw PostgresError(code: .protocolViolation, message: Self.lastError(connection))
        }
        var run = PipelineRun(connection: connection)
        defer {
            PQsetnonblocking(connection, 0)
            PQexitPipelineMode(connection)
        }
        for (index, parameters) in parameterSets.enumerated() {
            let encoded = index == 0 ? encodedFirst : try EncodedParameters(parameters)
            guard encoded.types == encodedFirst.types else {
                run.abandon()
                throw PostgresError(code: .invalidParameter, message: "parameter set \(index) has other types than the first")
            }
            let sent = encoded.withPointers { values, lengths, formats in
                PQsendQueryPrepared(connection, name, encoded.count, values, lengths, formats, 1)
            }
            guard sent == 1 else { throw connectionError() }
            run.sent += 1
            if run.sent % 256 == 0 { try run.pump(blocking: false) }
        }
        guard PQpipelineSync(connection) == 1 else { throw connectionError() }
        run.syncSent = true
        while !run.finished { try run.pump(blocking: true) }
        if let error = run.firstError { throw error }
        return run.affected
    }
}

/// The reading side of a pipeline: flushes what was sent and consumes whatever results
/// have arrived, so neither the client's nor the server's socket buffer fills up.
struct PipelineRun {
    let connection: OpaquePointer
    var sent = 0
    var completed = 0
    var syncSent = false
    var syncSeen = false
    var affected = 0
    var firstError: PostgresError?

    init(connection: OpaquePointer) { self.connection = connection }

    var finished: Bool { syncSent && syncSeen }

    mutating func abandon() {
        // Leave the connection usable: end the batch and read its results.
        if PQpipelineSync(connection) == 1 {
            syncSent = true
            while !finished, (try? pump(blocking: true)) != nil {}
        }
    }

    mutating func pump(blocking: Bool) throws {
        let flush = PQflush(connection)
        guard flush >= 0 else { throw lost() }
        if blocking || flush == 1 {
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN) | (flush == 1 ? Int16(POLLOUT) : 0), revents: 0)
            let ready = poll(&descriptor, 1, blocking ? 1000 : 0)
            if ready < 0 && errno != EINTR { throw lost() }
        }
        guard PQconsumeInput(connection) == 1 else { throw lost() }
        while PQisBusy(connection) == 0 {
            let expecting = completed < sent || (syncSent && !syncSeen)
            guard expecting else { return }
            guard let result = PQgetResult(connection) else {
                completed += 1  // the end of one statement's results
                continue
            }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
                affected += Int(String(cString: PQcmdTuples(result))) ?? 0
            case PGRES_PIPELINE_SYNC:
                syncSeen = true
            case PGRES_PIPELINE_ABORTED:
                break
            default:
                if firstError == nil {
                    firstError = PostgresConnection.error(from: result, connection: connection, cancelled: false)
                }
            }
            PQclear(result)
            if finished { return }
        }
    }

    private func lost() -> PostgresError {
        PostgresError(code: .connectionLost, message: PostgresConnection.lastError(connection))
    }
}
