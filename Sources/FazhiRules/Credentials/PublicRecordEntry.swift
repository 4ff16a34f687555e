import Foundation

/// 事前公开: an entry for the public list of enforcement personnel, queued in the outbox
/// whenever a credential's state changes; the disclosure publisher publishes it. It holds
/// only what the public may see: never an ID number or contact details.
public struct PublicRecordEntry: Sendable, Equatable, Codable {
    public static let enforcementPersonnel = "enforcement_personnel"

    public var topic: String
    /// The credential number.
    public var subject: String
    /// issue, suspend, reinstate, revoke, expire, renew, replace, review.
    public var event: String
    public var holderName: String
    public var categories: [String]
    public var areas: [String]
    public var state: String
    public var validFrom: String?
    public var validUntil: String?
    /// The number of the credential that replaces this one, for renew and replace.
    public var successor: String?
    public var occurredAt: Date

    public init(
        topic: String = Self.enforcementPersonnel, subject: String, event: String, holderName: String, categories: [String], areas: [String],
        state: String, validFrom: String?, validUntil: String?, successor: String?, occurredAt: Date
    ) {
        self.topic = topic
        self.subject = subject
        self.event = event
        self.holderName = holderName
        self.categories = categories
        self.areas = areas
        self.state = state
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.successor = successor
        self.occurredAt = occurredAt
    }

    /// The entries the transitions of `credential` after the first `stored` ones call for:
    /// one for each change of state of an issued credential (an application and its
    /// rejection are not public).
    public static func entries(for credential: Credential, after stored: Int, holderName: String) -> [PublicRecordEntry] {
        guard let number = credential.number else { return [] }
        return credential.history.dropFirst(stored).compactMap { transition in
            guard transition.from != transition.to, transition.to != .rejected else { return nil }
            return PublicRecordEntry(
                subject: number, event: transition.event, holderName: holderName, categories: credential.categories.sorted(),
                areas: credential.areas.map(\.code), state: transition.to.rawValue, validFrom: credential.validFrom?.description,
                validUntil: credential.validUntil?.description, successor: credential.successor, occurredAt: transition.at)
        }
    }
}
