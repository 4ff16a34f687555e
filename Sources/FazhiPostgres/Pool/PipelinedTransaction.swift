import CLibPQ
import Foundation

extension PostgresConnection {
    /// Runs different statements in one round trip (see `runPipeline`), after the deferred
    /// ones (see `deferStatement`); returns each of `statements`' rows.
    nonisolated(nonsending) func pipelined(_ statements: [(sql: String, parameters: [any PostgresEncodable])]) async throws -> [PostgresRows] {
        let pending = takeDeferred()
        // Prepare (once per connection) and encode before sending anything.
        var prepared: [(name: String, encoded: EncodedParameters)] = []
        for statement in pending.map({ (sql: $0.sql, parameters: $0.parameters) }) + statements {
            let encoded = try EncodedParameters(statement.parameters)
            prepared.append((try await prepare(statement.sql, encoded), encoded))
        }
        var answers: [PostgresRows] = []
        var current = PostgresRows()
        try await runPipeline(prepared) {
            current = PostgresRows(handle: ResultHandle($0))
        } endOfStatement: {
            answers.append(current)
            current = PostgresRows()
        }
        for (statement, rows) in zip(pending, answers) { statement.answer?.fill(rows) }
        return Array(answers.dropFirst(pending.count))
    }

    /// BEGIN and the agency's `SET LOCAL`, deferred: they travel with the transaction's
    /// first statement.
    func begin(_ options: TransactionOptions) {
        deferStatement(options.beginStatement)
        if let agency = options.agencyID { deferStatement(Self.setAgency, [agency.uuidString.lowercased()]) }
    }

    /// COMMIT, with whatever statements are still deferred, in one round trip.
    nonisolated(nonsending) func commit() async throws {
        _ = try await pipelined([("COMMIT", [])])
    }

    static let setAgency = "SELECT set_config('fazhi.agency_id', $1, true)"

    /// A transaction of statements that need no answer before the next: BEGIN, the
    /// agency, the statements and COMMIT travel in one round trip. Returns each
    /// statement's rows. Retried like `transaction` on serialization failure or deadlock.
    @discardableResult
    nonisolated(nonsending) public func pipelinedTransaction(
        _ options: TransactionOptions, _ statements: [(sql: String, parameters: [any PostgresEncodable])]
    ) async throws -> [PostgresRows] {
        var batch: [(sql: String, parameters: [any PostgresEncodable])] = [(options.beginStatement, [])]
        if let agency = options.agencyID { batch.append((Self.setAgency, [agency.uuidString.lowercased()])) }
        let first = batch.count
        batch += statements
        batch.append(("COMMIT", []))
        let answers = try await retryingTransaction(options) { try await pipelined(batch) }
        return Array(answers[first..<(first + statements.count)])
    }
}

extension ConnectionPool {
    /// See `PostgresConnection.pipelinedTransaction`.
    @discardableResult
    public func pipelinedTransaction(
        _ options: TransactionOptions, _ statements: [(sql: String, parameters: [any PostgresEncodable])]
    ) async throws -> [PostgresRows] {
        try await withConnection { try await $0.pipelinedTransaction(options, statements) }
    }
}
