import CLibPQ
import Foundation

/// The I/O of a statement: send through libpq, flush, wait on the socket, collect the
/// results, and forward a task's cancellation to the server.
extension PostgresConnection {
    /// Sends with `send`, then collects every result until libpq signals the end. Returns
    /// the last result's rows, or throws the first error.
    nonisolated(nonsending) func exchange(cancellable: Bool = true, _ send: (OpaquePointer) -> Int32) async throws -> PostgresRows {
        let connection = try claim()
        defer { release() }
        guard send(connection) == 1 else { throw connectionError(connection) }
        return try await whileCancellable(cancellable) {
            try await collect(connection).rows
        }
    }

    /// Runs `body` with task cancellation forwarded to the server as a cancel request; a
    /// statement the server then cancels fails with `queryCanceled`.
    nonisolated(nonsending) func whileCancellable<T>(
        _ cancellable: Bool = true, _ body: nonisolated(nonsending) () async throws -> T
    ) async throws -> T {
        guard cancellable else { return try await body() }
        let cancelHandle = self.cancelHandle
        cancelHandle.begin()
        let outcome: Result<T, any Error>
        do {
            outcome = .success(
                try await withTaskCancellationHandler {
                    try await body()
                } onCancel: {
                    cancelHandle.requestCancel()
                })
        } catch {
            outcome = .failure(error)
        }
        let cancelled = cancelHandle.end()
        if cancelled, case .failure(let error as PostgresError) = outcome, error.sqlState == "57014" {
            var canceled = PostgresError(code: .queryCanceled, message: error.message, sqlState: error.sqlState)
            canceled.detail = error.detail
            throw canceled
        }
        return try outcome.get()
    }

    enum CopyDirection { case into, out }

    /// Reads results until libpq has no more, or until the server enters COPY mode.
    nonisolated(nonsending) func collect(_ connection: OpaquePointer) async throws -> (rows: PostgresRows, copy: CopyDirection?) {
        try await flush(connection)
        var rows = PostgresRows()
        var firstError: PostgresError?
        while true {
            try await awaitResult(connection)
            guard let result = PQgetResult(connection) else { break }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_EMPTY_QUERY:
                rows = PostgresRows(handle: ResultHandle(result))
            case PGRES_COPY_IN, PGRES_COPY_OUT:
                let direction: CopyDirection = PQresultStatus(result) == PGRES_COPY_IN ? .into : .out
                PQclear(result)
                return (rows, direction)
            default:
                if firstError == nil { firstError = Self.error(from: result, connection: connection) }
                PQclear(result)
            }
        }
        if let firstError { throw firstError }
        if PQstatus(connection) != CONNECTION_OK { throw connectionError(connection) }
        return (rows, nil)
    }

    /// Sends everything libpq has queued, reading meanwhile so a server that answers
    /// while we still write cannot deadlock us.
    nonisolated(nonsending) func flush(_ connection: OpaquePointer) async throws {
        while true {
            let state = PQflush(connection)
            if state == 0 { return }
            guard state == 1 else { throw connectionError(connection) }
            try await waitForSocket(.readOrWrite)
            try consumeInput(connection)
        }
    }

    /// Waits until `PQgetResult` can answer without blocking.
    nonisolated(nonsending) func awaitResult(_ connection: OpaquePointer) async throws {
        while PQisBusy(connection) == 1 {
            try await readMore(connection)
        }
    }

    /// Reads more of the server's answer into libpq, waiting for the socket unless the TLS
    /// layer already holds decrypted bytes (which the socket does not show; libpq's own
    /// waits check the same).
    nonisolated(nonsending) func readMore(_ connection: OpaquePointer, cancellable: Bool = false) async throws {
        if !TLSBuffer.hasPendingBytes(connection) { try await waitForSocket(.read, cancellable: cancellable) }
        try consumeInput(connection)
    }

    /// Moves whatever the socket holds into libpq's buffer, without waiting.
    func consumeInput(_ connection: OpaquePointer) throws {
        guard PQconsumeInput(connection) == 1 else { throw connectionError(connection) }
    }

    /// Suspends until the server's socket is ready.
    nonisolated(nonsending) func waitForSocket(_ interest: SocketWatch.Interest, cancellable: Bool = false) async throws {
        try await watch.wait(interest, cancellable: cancellable)
    }
}
