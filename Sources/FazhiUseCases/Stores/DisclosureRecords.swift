import FazhiRules
import Foundation

/// A row of the public-record outbox: something that happened and must become public.
public struct OutboxRecord: Sendable, Equatable {
    public enum Payload: Sendable, Equatable {
        case enforcementPersonnel(PublicRecordEntry)
        case powerList(PowerListChanges)
        case decision(DecisionDisclosure)
    }

    public var id: Int64
    public var payload: Payload
    public var occurredAt: Date

    public init(id: Int64, payload: Payload, occurredAt: Date) {
        self.id = id
        self.payload = payload
        self.occurredAt = occurredAt
    }
}

/// A signed checkpoint as the log stored it.
public struct StoredCheckpoint: Sendable, Equatable {
    public var size: Int
    public var root: Data
    /// The C2SP signed note.
    public var note: String
    public var createdAt: Date

    public init(size: Int, root: Data, note: String, createdAt: Date) {
        self.size = size
        self.root = root
        self.note = note
        self.createdAt = createdAt
    }
}

/// How the public searches disclosures.
public struct DisclosureFilter: Sendable, Equatable {
    public var kind: DisclosureEntry.Kind?
    public var category: String?
    public var partyType: String?
    public var from: CalendarDay?
    public var until: CalendarDay?
    /// Words in the title or subject.
    public var text: String?

    public init(
        kind: DisclosureEntry.Kind? = nil, category: String? = nil, partyType: String? = nil, from: CalendarDay? = nil,
        until: CalendarDay? = nil, text: String? = nil
    ) {
        self.kind = kind
        self.category = category
        self.partyType = partyType
        self.from = from
        self.until = until
        self.text = text
    }
}

/// Disclosure entries, the outbox they come from, and the log, inside one agency's
/// transaction.
public protocol DisclosureRecords: Sendable {
    /// Outbox rows not yet turned into entries, oldest first.
    func pendingOutbox(limit: Int) async throws -> [OutboxRecord]
    func markOutboxPublished(id: Int64, at: Date) async throws
    /// Locks outbox row `id` for this transaction if it is still unpublished and no other
    /// transaction holds it (`SKIP LOCKED`); false when another publisher has it or is done.
    func claimOutbox(id: Int64) async throws -> Bool

    func insert(_ entry: DisclosureEntry, sourceOutbox: Int64?, at: Date) async throws
    func entry(id: UUID, locking: Bool) async throws -> DisclosureEntry?
    /// Saves what an entry may still change: state, content (erased), publication, leaf.
    func save(_ entry: DisclosureEntry) async throws
    /// The names of the natural persons the case of decision `documentNumber` concerns, so
    /// that anything written about the decision later (a correction, its reason) is
    /// redacted with the names the first publication was.
    func personNames(decisionNumber documentNumber: String) async throws -> Set<String>
    /// Entries the public sees (not drafts), newest first, after the given position.
    func publicEntries(_ filter: DisclosureFilter, after: (publishedAt: Date, id: UUID)?, limit: Int) async throws -> [DisclosureEntry]
    /// Drafts, earliest due first.
    func drafts(limit: Int) async throws -> [DisclosureEntry]

    /// Takes the log's lock for this transaction; false when another leader holds it.
    func lockLog() async throws -> Bool
    /// Takes the same lock, waiting for a leader that holds it to finish.
    func waitForLog() async throws
    /// Published entries without a leaf index yet, in publication order.
    func unsequenced(limit: Int) async throws -> [(id: UUID, leaf: Data)]
    func setLeafIndexes(_ indexes: [(entryID: UUID, index: Int)]) async throws
    func latestCheckpoint() async throws -> StoredCheckpoint?
    func checkpoint(size: Int) async throws -> StoredCheckpoint?
    func insertCheckpoint(_ checkpoint: StoredCheckpoint) async throws
    func nodes(_ wanted: Set<MerkleNode>) async throws -> [MerkleNode: Data]
    func insertNodes(_ nodes: [(MerkleNode, Data)]) async throws
    func entry(leafIndex: Int) async throws -> DisclosureEntry?
    /// The entries whose leaf index is in `range`, in leaf order.
    func entries(leafIndexes range: Range<Int>) async throws -> [DisclosureEntry]
    /// The leaves with index in `range`, in order.
    func leaves(_ range: Range<Int>) async throws -> [Data]
}
