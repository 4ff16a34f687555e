import CLibPQ
import Foundation

extension PostgresConnection {
    /// Runs one statement once per parameter set through libpq's pipeline mode: all of
    /// them are sent without waiting for answers, then one Sync ends the batch, so the
    /// batch costs about one round trip instead of one per row. Outside a transaction the
    /// batch is atomic (one implicit transaction); the first error is thrown.
    /// Returns the total number of rows affected.
    @discardableResult
    nonisolated(nonsending) public func pipeline(_ sql: String, parameterSets: [[any PostgresEncodable]]) async throws -> Int {
        guard let first = parameterSets.first else { return 0 }
        try await sendDeferred()
        let encodedFirst = try EncodedParameters(first)
        let name = try await prepare(sql, encodedFirst)
        // Encode everything first, so a bad value is reported before anything is sent.
        var encodedSets = [encodedFirst]
        for (index, parameters) in parameterSets.enumerated().dropFirst() {
            let encoded = try EncodedParameters(parameters)
            guard encoded.types == encodedFirst.types else {
                throw PostgresError(code: .invalidParameter, message: "parameter set \(index) has other types than the first")
            }
            encodedSets.append(encoded)
        }
        var affected = 0
        try await runPipeline(encodedSets.map { (name, $0) }) { result in
            affected += Int(String(cString: PQcmdTuples(result))) ?? 0
            PQclear(result)
        }
        return affected
    }

    /// Sends prepared statements in pipeline mode, ended by one Sync, without waiting for
    /// answers; then reads every answer. Each successful result goes to `take`, which owns
    /// it; `endOfStatement` marks where one statement's results end. Statements after a
    /// failed one are skipped by the server; the first error is thrown after the Sync.
    nonisolated(nonsending) func runPipeline(
        _ batch: [(name: String, encoded: EncodedParameters)],
        take: (OpaquePointer) -> Void,
        endOfStatement: () -> Void = {}
    ) async throws {
        let connection = try claim()
        defer { release() }
        guard PQenterPipelineMode(connection) == 1 else { throw connectionError(connection) }
        defer { PQexitPipelineMode(connection) }
        for (index, (name, encoded)) in batch.enumerated() {
            let sent = encoded.withPointers { values, lengths, formats in
                PQsendQueryPrepared(connection, name, encoded.count, values, lengths, formats, 1)
            }
            guard sent == 1 else { throw connectionError(connection) }
            // Keep data moving both ways without waiting, so neither side's buffers fill.
            if index % 256 == 255 {
                guard PQflush(connection) >= 0 else { throw connectionError(connection) }
                try consumeInput(connection)
            }
        }
        guard PQpipelineSync(connection) == 1 else { throw connectionError(connection) }
        try await flush(connection)
        var firstError: PostgresError?
        while true {
            try await awaitResult(connection)
            guard let result = PQgetResult(connection) else {
                endOfStatement()
                continue
            }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
                take(result)
                continue
            case PGRES_PIPELINE_SYNC:
                PQclear(result)
                if let firstError { throw firstError }
                return
            case PGRES_PIPELINE_ABORTED:
                break
            default:
                if firstError == nil { firstError = Self.error(from: result, connection: connection) }
            }
            PQclear(result)
        }
    }
}
