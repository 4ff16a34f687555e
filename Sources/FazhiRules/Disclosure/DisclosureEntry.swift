import Crypto
import Foundation

/// 行政执法公示: one thing made public, withdrawn or corrected. Its public content is
/// redacted before it is ever stored here, and is canonical JSON text (sorted keys) so
/// anyone can hash the bytes the portal shows and compare them with the log.
public struct DisclosureEntry: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case publish, withdraw, correct
    }

    /// 事前 (personnel, power list), 事后 (decisions), and the annual figures.
    public enum Kind: String, Sendable, CaseIterable {
        case enforcementPersonnel = "enforcement_personnel"
        case powerList = "power_list"
        case decision
        case annualStatistics = "annual_statistics"
    }

    public enum State: String, Sendable, CaseIterable {
        /// Redacted, waiting for a compliance officer to release it.
        case draft
        case published
        /// The content is erased; the withdrawal is an entry of its own.
        case withdrawn
        /// A correction replaced it; it stays public, marked.
        case corrected
    }

    public var id: UUID
    public var action: Action
    public var kind: Kind
    /// The document number, credential number or list version the entry is about.
    public var subject: String
    public var title: String
    /// The entry a withdrawal or correction is about.
    public var refersTo: UUID?
    /// Canonical JSON; nil once withdrawn.
    public var content: String?
    public var contentSHA256: Data
    public var category: String?
    public var partyType: String?
    public var itemCode: String?
    /// The day of the decision or change the entry reports.
    public var occurredOn: CalendarDay
    public var due: CalendarDay?
    public var dueProvisional: Bool
    public var state: State
    public var publishedAt: Date?
    public var late: Bool?
    public var releasedBy: UUID?
    /// The withdrawal or correction that superseded it.
    public var supersededBy: UUID?
    public var leaf: Data?
    public var leafIndex: Int?

    public init(
        id: UUID = UUID(), action: Action, kind: Kind, subject: String, title: String, refersTo: UUID? = nil,
        content: [String: String], category: String? = nil, partyType: String? = nil, itemCode: String? = nil,
        occurredOn: CalendarDay, due: CalendarDay?, dueProvisional: Bool = false
    ) {
        self.id = id
        self.action = action
        self.kind = kind
        self.subject = subject
        self.title = title
        self.refersTo = refersTo
        let text = Self.canonical(content)
        self.content = text
        contentSHA256 = Data(SHA256.hash(data: Data(text.utf8)))
        self.category = category
        self.partyType = partyType
        self.itemCode = itemCode
        self.occurredOn = occurredOn
        self.due = due
        self.dueProvisional = dueProvisional
        state = .draft
    }

    /// An entry as a store kept it.
    public init(
        stored id: UUID, action: Action, kind: Kind, subject: String, title: String, refersTo: UUID?, content: String?, contentSHA256: Data,
        category: String?, partyType: String?, itemCode: String?, occurredOn: CalendarDay, due: CalendarDay?, dueProvisional: Bool,
        state: State, publishedAt: Date?, late: Bool?, releasedBy: UUID?, supersededBy: UUID?, leaf: Data?, leafIndex: Int?
    ) {
        self.id = id
        self.action = action
        self.kind = kind
        self.subject = subject
        self.title = title
        self.refersTo = refersTo
        self.content = content
        self.contentSHA256 = contentSHA256
        self.category = category
        self.partyType = partyType
        self.itemCode = itemCode
        self.occurredOn = occurredOn
        self.due = due
        self.dueProvisional = dueProvisional
        self.state = state
        self.publishedAt = publishedAt
        self.late = late
        self.releasedBy = releasedBy
        self.supersededBy = supersededBy
        self.leaf = leaf
        self.leafIndex = leafIndex
    }

    /// Sorted keys, no spaces, slashes unescaped: the bytes that are hashed.
    public static func canonical(_ content: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(content), as: UTF8.self)
    }

    public var fields: [String: String] {
        guard let content, let fields = try? JSONDecoder().decode([String: String].self, from: Data(content.utf8)) else { return [:] }
        return fields
    }

    // MARK: Lifecycle (pure; "now" passed in)

    /// Publishes a draft: it gets its leaf, and is late when published after its due day.
    public mutating func publish(at now: Moment, by releaser: UUID?, origin: String) throws {
        guard state == .draft else {
            throw DomainError.entryAlreadyPublished
        }
        state = .published
        publishedAt = DisclosureLeaf.truncated(now.instant)
        late = due.map { now.day > $0 }
        releasedBy = releaser
        leaf = DisclosureLeaf(self, origin: origin).encoded
    }

    /// Withdraws a published entry: its content is erased; `withdrawal` is the public
    /// notice that takes its place.
    public mutating func withdraw(by withdrawal: DisclosureEntry) throws {
        guard state == .published || state == .corrected, action != .withdraw else { throw Self.cannotSupersede(state) }
        state = .withdrawn
        content = nil
        supersededBy = withdrawal.id
    }

    public mutating func correct(by correction: DisclosureEntry) throws {
        guard state == .published, action != .withdraw else { throw Self.cannotSupersede(state) }
        state = .corrected
        supersededBy = correction.id
    }

    static func cannotSupersede(_ state: State) -> DomainError {
        DomainError.entryCannotBeSuperseded(state: state.rawValue)
    }
}
