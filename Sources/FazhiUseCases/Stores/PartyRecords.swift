import FazhiRules
import Foundation

/// Parties as stored, inside one agency's transaction.
public protocol PartyRecords: Sendable {
    /// Throws `ALREADY_EXISTS` when the credit code or the person is already recorded.
    func insert(_ party: NewParty, by user: UUID, at: Date) async throws -> Party
    func party(id: UUID) async throws -> Party?
    /// Parties whose name contains `nameContains` (all when nil), of `kind` (any when nil),
    /// ordered by name then id, after the given key.
    func parties(nameContains: String?, kind: Party.Kind?, after: (name: String, id: UUID)?, limit: Int) async throws -> [Party]
}
