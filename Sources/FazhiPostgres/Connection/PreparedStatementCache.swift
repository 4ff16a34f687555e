/// Names of the statements prepared on one connection, bounded so a stream of distinct
/// statements cannot grow server memory without limit.
struct PreparedStatementCache: Sendable {
    private var names: [StatementKey: String] = [:]
    private var order: [StatementKey] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int = 512) { self.capacity = capacity }

    func name(for key: StatementKey) -> String? { names[key] }

    /// Returns the new statement's name and the name of one to deallocate, if any.
    mutating func insert(key: StatementKey) -> (name: String, evicted: String?) {
        next += 1
        let name = "fazhi_\(next)"
        var evicted: String?
        if names.count >= capacity, let oldest = order.first {
            order.removeFirst()
            evicted = names.removeValue(forKey: oldest)
        }
        names[key] = name
        order.append(key)
        return (name, evicted)
    }

    mutating func remove(key: StatementKey) {
        names.removeValue(forKey: key)
        order.removeAll { $0 == key }
    }
}
