/// What a new version changed against the one before: the public is told (changes are
/// disclosed, docs/DOMAIN.md).
public struct PowerListChanges: Sendable, Equatable, Codable {
    public var version: Int
    public var added: [String]
    public var changed: [String]
    public var removed: [String]
    public var reason: String

    public init(from previous: [PowerItem], to next: [PowerItem], version: Int, reason: String) {
        let before = Dictionary(uniqueKeysWithValues: previous.map { ($0.code, $0) })
        let after = Dictionary(uniqueKeysWithValues: next.map { ($0.code, $0) })
        self.version = version
        self.added = after.keys.filter { before[$0] == nil }.sorted()
        self.changed = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
        self.removed = before.keys.filter { after[$0] == nil }.sorted()
        self.reason = reason
    }

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }
}
