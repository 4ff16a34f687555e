import Foundation

/// Isolation levels PostgreSQL implements.
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// How a transaction runs: its isolation, the agency whose rows it may see (row-level
/// security reads it from `fazhi.agency_id`, set with `SET LOCAL` so it ends with the
/// transaction), and how often it is retried when the server asks for a retry.
public struct TransactionOptions: Sendable {
    public var isolation: IsolationLevel
    public var readOnly: Bool
    public var agencyID: UUID?
    /// Attempts in all, the first included, on serialization failure or deadlock.
    public var maximumAttempts: Int

    public init(isolation: IsolationLevel = .readCommitted, readOnly: Bool = false, agencyID: UUID? = nil, maximumAttempts: Int = 3) {
        precondition(maximumAttempts >= 1, "a transaction runs at least once")
        self.isolation = isolation
        self.readOnly = readOnly
        self.agencyID = agencyID
        self.maximumAttempts = maximumAttempts
    }

    var beginStatement: String { "BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")" }
}

extension PostgresConnection {
    /// Runs `body` in one transaction: commits when it returns, rolls back when it throws.
    /// The body runs again, from the start, when the server reports a serialization
    /// failure or a deadlock, up to `options.maximumAttempts` times; after that the typed
    /// error is thrown. The body must therefore have no effects outside the database.
    nonisolated(nonsending) public func transaction<T: Sendable>(
        _ options: TransactionOptions = TransactionOptions(),
        _ body: nonisolated(nonsending) @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await retryingTransaction(options) {
            begin(options)
            let value = try await body(self)
            try await commit()
            return value
        }
    }

    /// Runs one attempt of a transaction; after a failure rolls back, and on serialization
    /// failure or deadlock tries again, up to `options.maximumAttempts` in all.
    nonisolated(nonsending) func retryingTransaction<T>(
        _ options: TransactionOptions, _ attempt: nonisolated(nonsending) () async throws -> T
    ) async throws -> T {
        var attempts = 1
        while true {
            do {
                return try await attempt()
            } catch {
                await rollbackAfterFailure()
                if let failure = error as? PostgresError, failure.isRetryableTransactionFailure,
                    attempts < options.maximumAttempts, !Task.isCancelled
                {
                    // The transaction that won may not have committed yet; retrying at once
                    // would meet it again. A short, jittered pause lets it finish.
                    try await Task.sleep(for: .milliseconds(Int.random(in: 5...20) * attempts))
                    attempts += 1
                    continue
                }
                throw error
            }
        }
    }

    nonisolated(nonsending) func rollbackAfterFailure() async {
        discardDeferred()
        guard transactionState == .inTransaction || transactionState == .failedTransaction else { return }
        // A rollback must run even when the task was cancelled, so it is not cancellable.
        try? await simpleQueryUncancellable("ROLLBACK")
    }
}

extension ConnectionPool {
    /// Runs `body` in a transaction on a pooled connection; see `PostgresConnection.transaction`.
    public func transaction<T: Sendable>(
        _ options: TransactionOptions = TransactionOptions(),
        _ body: nonisolated(nonsending) @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try await connection.transaction(options, body)
        }
    }
}
