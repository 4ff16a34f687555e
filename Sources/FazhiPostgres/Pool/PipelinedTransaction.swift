import CLibPQ
import Foundation

extension PostgresConnection {
    /// Sends statements in pipeline mode, ended by one Sync, and reads every answer: one
    /// round trip for the lot. Statements after a failed one are skipped by the server;
    /// the first error is thrown. Returns each statement's rows.
    func pipelined(_ statements: [(sql: String, parameters: [any PostgresEncodable])]) async throws -> [PostgresRows] {
        // Prepare (once per connection) and encode before sending anything.
        var prepared: [(name: String, encoded: EncodedParameters)] = []
        for statement in statements {
            let encoded = try EncodedParameters(statement.parameters)
            prepared.append((try await prepare(statement.sql, encoded), encoded))
        }
        let connection = try claim()
        defer { release() }
        guard PQenterPipelineMode(connection) == 1 else { throw connectionError() }
        defer { PQexitPipelineMode(connection) }
        for (name, encoded) in prepared {
            let sent = encoded.withPointers { values, lengths, formats in
                PQsendQueryPrepared(connection, name, encoded.count, values, lengths, formats, 1)
            }
            guard sent == 1 else { throw connectionError() }
        }
        guard PQpipelineSync(connection) == 1 else { throw connectionError() }
        try await flush(connection)
        var answers: [PostgresRows] = []
        var current = PostgresRows()
        var firstError: PostgresError?
        while true {
            try await awaitResult(connection)
            guard let result = PQgetResult(connection) else {
                // A NULL ends one statement's results.
                answers.append(current)
                current = PostgresRows()
                continue
            }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
                current = PostgresRows(handle: ResultHandle(result))
                continue  // the handle owns the result now
            case PGRES_PIPELINE_SYNC:
                PQclear(result)
                if let firstError { throw firstError }
                return answers
            case PGRES_PIPELINE_ABORTED:
                break
            default:
                if firstError == nil { firstError = Self.error(from: result, connection: connection) }
            }
            PQclear(result)
        }
    }

    /// BEGIN and the agency's `SET LOCAL` in one round trip.
    func begin(_ options: TransactionOptions) async throws {
        let begin = "BEGIN ISOLATION LEVEL \(options.isolation.rawValue)\(options.readOnly ? " READ ONLY" : "")"
        guard let agency = options.agencyID else {
            try await simpleQuery(begin)
            return
        }
        _ = try await pipelined([(begin, []), (Self.setAgency, [agency.uuidString.lowercased()])])
    }

    static let setAgency = "SELECT set_config('fazhi.agency_id', $1, true)"

    /// A transaction of statements that need no answer before the next: BEGIN, the
    /// agency, the statements and COMMIT travel in one round trip. Retried like
    /// `transaction` on serialization failure or deadlock.
    public func pipelinedTransaction(_ options: TransactionOptions, _ statements: [(sql: String, parameters: [any PostgresEncodable])]) async throws {
        var batch: [(sql: String, parameters: [any PostgresEncodable])] = [
            ("BEGIN ISOLATION LEVEL \(options.isolation.rawValue)\(options.readOnly ? " READ ONLY" : "")", [])
        ]
        if let agency = options.agencyID { batch.append((Self.setAgency, [agency.uuidString.lowercased()])) }
        batch += statements
        batch.append(("COMMIT", []))
        try await retryingTransaction(options) { _ = try await pipelined(batch) }
    }
}

extension ConnectionPool {
    /// See `PostgresConnection.pipelinedTransaction`.
    public func pipelinedTransaction(_ options: TransactionOptions, _ statements: [(sql: String, parameters: [any PostgresEncodable])]) async throws {
        try await withConnection { try await $0.pipelinedTransaction(options, statements) }
    }
}
