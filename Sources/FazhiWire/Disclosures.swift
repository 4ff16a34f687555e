import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import SwiftProtobuf

extension Fazhi_V1_DisclosureEntry {
    public init(_ entry: DisclosureEntry) {
        self = .with {
            $0.id = entry.id.uuidString.lowercased()
            $0.action = entry.action.rawValue
            $0.kind = entry.kind.rawValue
            $0.subject = entry.subject
            $0.title = entry.title
            $0.refersTo = entry.refersTo?.uuidString.lowercased() ?? ""
            $0.content = entry.content ?? ""
            $0.contentSha256 = entry.contentSHA256
            $0.category = entry.category ?? ""
            $0.partyType = entry.partyType ?? ""
            $0.itemCode = entry.itemCode ?? ""
            $0.occurredOn = entry.occurredOn.description
            $0.dueOn = entry.due?.description ?? ""
            $0.dueProvisional = entry.dueProvisional
            $0.state = entry.state.rawValue
            $0.publishedAt = entry.publishedAt.map(DisclosureLeaf.timestamp) ?? ""
            $0.late = entry.late ?? false
            $0.supersededBy = entry.supersededBy?.uuidString.lowercased() ?? ""
            $0.leafIndex = entry.leafIndex.map(Int64.init) ?? -1
            $0.leaf = entry.leaf ?? Data()
        }
    }
}

extension DisclosureEntry {
    /// An entry as a public answer carried it, for verifying it.
    public init(_ message: Fazhi_V1_DisclosureEntry) throws {
        func bad(_ field: String) -> DomainError {
            DomainError.entryFieldInvalid(field)
        }
        guard let id = UUID(uuidString: message.id) else { throw bad("id") }
        guard let action = Action(rawValue: message.action) else { throw bad("action") }
        guard let kind = Kind(rawValue: message.kind) else { throw bad("kind") }
        guard let state = State(rawValue: message.state) else { throw bad("state") }
        guard let occurred = try? CalendarDay(iso: message.occurredOn) else { throw bad("occurred_on") }
        let published = message.publishedAt.isEmpty ? nil : DisclosureLeaf.date(message.publishedAt)
        guard message.publishedAt.isEmpty || published != nil else { throw bad("published_at") }
        self.init(
            stored: id, action: action, kind: kind, subject: message.subject, title: message.title,
            refersTo: UUID(uuidString: message.refersTo), content: message.content.isEmpty ? nil : message.content,
            contentSHA256: message.contentSha256, category: message.category.isEmpty ? nil : message.category,
            partyType: message.partyType.isEmpty ? nil : message.partyType, itemCode: message.itemCode.isEmpty ? nil : message.itemCode,
            occurredOn: occurred, due: try? CalendarDay(iso: message.dueOn), dueProvisional: message.dueProvisional, state: state,
            publishedAt: published, late: message.late, releasedBy: nil, supersededBy: UUID(uuidString: message.supersededBy),
            leaf: message.leaf.isEmpty ? nil : message.leaf, leafIndex: message.leafIndex >= 0 ? Int(message.leafIndex) : nil)
    }
}
