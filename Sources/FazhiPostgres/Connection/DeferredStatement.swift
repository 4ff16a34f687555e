import Synchronization

/// A statement queued to travel with the next one that needs an answer.
struct DeferredStatement: Sendable {
    let sql: String
    let parameters: [any PostgresEncodable]
    /// Where its rows go, when someone wants them.
    let answer: DeferredAnswer?
}

/// The rows of a deferred read, once it travelled.
final class DeferredAnswer: Sendable {
    private let value = Mutex<PostgresRows?>(nil)

    var rows: PostgresRows? { value.withLock { $0 } }

    func fill(_ rows: PostgresRows) { value.withLock { $0 = rows } }
}
