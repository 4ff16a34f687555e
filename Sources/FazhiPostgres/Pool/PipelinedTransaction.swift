import CLibPQ
import Foundation

extension PostgresConnection {
    /// Runs different statements in one round trip (see `runPipeline`); returns each
    /// statement's rows.
    func pipelined(_ statements: [(sql: String, parameters: [any PostgresEncodable])]) async throws -> [PostgresRows] {
        // Prepare (once per connection) and encode before sending anything.
        var prepared: [(name: String, encoded: EncodedParameters)] = []
        for statement in statements {
            let encoded = try EncodedParameters(statement.parameters)
            prepared.append((try await prepare(statement.sql, encoded), encoded))
        }
        var answers: [PostgresRows] = []
        var current = PostgresRows()
        try await runPipeline(prepared) { current = PostgresRows(handle: ResultHandle($0)) } endOfStatement: {
            answers.append(current)
            current = PostgresRows()
        }
        return answers
    }

    /// BEGIN and the agency's `SET LOCAL` in one round trip.
    func begin(_ options: TransactionOptions) async throws {
        guard let agency = options.agencyID else {
            try await simpleQuery(options.beginStatement)
            return
        }
        _ = try await pipelined([(options.beginStatement, []), (Self.setAgency, [agency.uuidString.lowercased()])])
    }

    static let setAgency = "SELECT set_config('fazhi.agency_id', $1, true)"

    /// A transaction of statements that need no answer before the next: BEGIN, the
    /// agency, the statements and COMMIT travel in one round trip. Retried like
    /// `transaction` on serialization failure or deadlock.
    public func pipelinedTransaction(_ options: TransactionOptions, _ statements: [(sql: String, parameters: [any PostgresEncodable])]) async throws {
        var batch: [(sql: String, parameters: [any PostgresEncodable])] = [(options.beginStatement, [])]
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
