import FazhiRules
import Foundation

/// One entry of a case's full-process record 全过程记录, as kept forever.
public struct CaseRecordEntry: Sendable, Equatable {
    public var id: Int64
    public var step: String
    public var event: String
    /// The user who acted.
    public var actor: UUID
    /// The officers named in the act.
    public var officers: [UUID]
    public var text: String
    /// SHA-256 (hex) of each evidence file.
    public var evidence: [String]
    /// The entry this one corrects.
    public var corrects: Int64?
    public var at: Date

    public init(
        id: Int64 = 0, step: String, event: String, actor: UUID, officers: [UUID], text: String, evidence: [String] = [], corrects: Int64? = nil,
        at: Date
    ) {
        self.id = id
        self.step = step
        self.event = event
        self.actor = actor
        self.officers = officers
        self.text = text
        self.evidence = evidence
        self.corrects = corrects
        self.at = at
    }
}

/// What cases to list.
public struct CaseFilter: Sendable, Equatable {
    public var status: EnforcementCase.Status?
    public var itemCode: String?
    public var partyID: UUID?
    public var officerID: UUID?
    public var openedFrom: CalendarDay?
    public var openedUntil: CalendarDay?
    public var kind: CaseKind?

    public init(
        kind: CaseKind? = nil, status: EnforcementCase.Status? = nil, itemCode: String? = nil, partyID: UUID? = nil, officerID: UUID? = nil,
        openedFrom: CalendarDay? = nil, openedUntil: CalendarDay? = nil
    ) {
        self.status = status
        self.itemCode = itemCode
        self.partyID = partyID
        self.officerID = officerID
        self.openedFrom = openedFrom
        self.openedUntil = openedUntil
        self.kind = kind
    }
}

/// Cases as stored, inside one agency's transaction.
public protocol CaseRecords: Sendable {
    func insert(_ kase: EnforcementCase, at: Date) async throws
    /// The case and the version it was read at; `locking` holds it until the transaction ends.
    func kase(id: UUID, locking: Bool) async throws -> (EnforcementCase, version: Int)?
    /// Saves a case read at `version`; false when someone changed it since.
    func save(_ kase: EnforcementCase, readAt version: Int, at: Date) async throws -> Bool
    /// Saves a case this transaction read with `locking`: nobody can have changed it since,
    /// so the update may travel with the transaction's next statement, and its errors
    /// surface there.
    func saveLocked(_ kase: EnforcementCase, at: Date) async throws
    /// Remembers that these officers took part (for searching by officer).
    func addOfficers(caseID: UUID, _ officers: [UUID]) async throws
    /// Appends a record entry and returns its id.
    func appendRecord(caseID: UUID, _ entry: CaseRecordEntry) async throws -> Int64
    /// Appends a record entry whose id nobody needs; the store may write it with the
    /// transaction's next statement or its commit (one round trip fewer).
    func append(_ entry: CaseRecordEntry, toCase caseID: UUID) async throws
    func record(caseID: UUID) async throws -> [CaseRecordEntry]
    /// Which of `hashes` some case's record of this agency refers to.
    func referencedEvidence(_ hashes: [String]) async throws -> Set<String>
    /// Cases newest first (by creation), after the given id's position.
    func cases(_ filter: CaseFilter, after: UUID?, limit: Int) async throws -> [EnforcementCase]
    /// Queues a decision for publication in the public-record outbox.
    func queueDisclosure(_ disclosure: DecisionDisclosure, at: Date) async throws
    /// The next decision number of the agency and year, from `pattern`.
    func nextDecisionNumber(pattern: String, year: Int) async throws -> String
}
