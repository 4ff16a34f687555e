import FazhiRules
import Foundation

/// A published version of an agency's power list: immutable once published.
public struct PowerListVersion: Sendable, Equatable {
    public var version: Int
    public var publishedAt: Date
    public var publishedBy: String
    public var reason: String
    public var items: [PowerItem]

    public init(version: Int, publishedAt: Date, publishedBy: String, reason: String, items: [PowerItem]) {
        self.version = version
        self.publishedAt = publishedAt
        self.publishedBy = publishedBy
        self.reason = reason
        self.items = items
    }
}

/// The power list as stored, inside one agency's transaction: a working draft that
/// administrators edit, and numbered versions that never change.
public protocol PowerListRecords: Sendable {
    /// The draft's items, ordered by code.
    func draft() async throws -> [PowerItem]
    func putDraftItem(_ item: PowerItem, by user: UUID, at: Date) async throws
    /// False when the draft holds no such item.
    func removeDraftItem(code: String) async throws -> Bool
    func replaceDraft(_ items: [PowerItem], by user: UUID, at: Date) async throws
    /// The version with this number, or the latest when nil; nil when none is published.
    func version(_ number: Int?) async throws -> PowerListVersion?
    /// Every version, newest first, without items.
    func versions() async throws -> [PowerListVersion]
    /// Throws `FAILED_PRECONDITION` when the number was taken meanwhile.
    func insertVersion(_ version: PowerListVersion) async throws
    /// Queues the announcement of a new version for the public record.
    func queuePublication(_ changes: PowerListChanges, at: Date) async throws
    /// The item with this code in a version (the latest when nil).
    func item(code: String, version: Int?) async throws -> (PowerItem, version: Int)?
}
