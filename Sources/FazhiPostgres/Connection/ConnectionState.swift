/// What one connection keeps between and during statements, with no I/O: whether an
/// operation holds libpq, whether it is closing or finished, the statements waiting to
/// travel with the next one, and the names of the statements prepared on it. Each event
/// returns what the connection must do next; `PostgresConnection` does it with libpq.
/// Kept apart from the I/O (as postgres-nio keeps its `ConnectionStateMachine`) so the
/// rules are plain and tested without a server (`ConnectionStateTests`).
struct ConnectionState: Sendable {
    private(set) var statements = PreparedStatementCache()
    /// Statements whose answers nobody waits for, sent with the next one that needs an
    /// answer (see `PostgresConnection.deferStatement`).
    private(set) var deferred: [DeferredStatement] = []
    /// An operation holds libpq (see `claim`).
    private(set) var busy = false
    /// `close()` was called; the connection finishes as soon as it is not busy.
    private(set) var closing = false
    /// libpq's connection is freed.
    private(set) var finished = false

    init(statements: PreparedStatementCache = PreparedStatementCache()) { self.statements = statements }

    enum ClaimRefusal: Error, Equatable {
        /// The connection is closing or closed.
        case closed
        /// Another operation holds it: a programming error, never an interleaving.
        case busy
    }

    /// An operation takes libpq for itself.
    mutating func claim() throws(ClaimRefusal) {
        guard !closing else { throw .closed }
        guard !busy else { throw .busy }
        busy = true
    }

    /// The operation is done; returns whether the connection must be freed now (it was
    /// closed meanwhile).
    mutating func release() -> Bool {
        busy = false
        finished = closing
        return finished
    }

    /// Asked to close; returns whether to free it now (no operation holds it). A second
    /// close does nothing.
    mutating func close() -> Bool {
        guard !closing else { return false }
        closing = true
        finished = !busy
        return finished
    }

    mutating func appendDeferred(_ statement: DeferredStatement) { deferred.append(statement) }

    /// The queued statements, leaving none.
    mutating func takeDeferred() -> [DeferredStatement] {
        defer { deferred.removeAll(keepingCapacity: true) }
        return deferred
    }

    mutating func discardDeferred() { deferred.removeAll() }

    enum Preparation: Equatable {
        /// Prepared before under this name.
        case known(String)
        /// Prepare it under `name`, deallocating `evicted` first if the cache was full.
        case prepare(name: String, evicting: String?)
    }

    mutating func preparation(for key: StatementKey) -> Preparation {
        if let name = statements.name(for: key) { return .known(name) }
        let (name, evicted) = statements.insert(key: key)
        return .prepare(name: name, evicting: evicted)
    }

    /// The statement is not (or no longer) prepared under its name.
    mutating func forget(_ key: StatementKey) { statements.remove(key: key) }
}
