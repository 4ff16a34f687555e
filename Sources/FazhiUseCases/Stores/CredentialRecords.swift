import FazhiRules
import Foundation

/// An officer 执法人员 about to be recorded; the ID number and contact are already sealed.
public struct NewOfficer: Sendable {
    public var name: String
    public var unit: String
    public var position: String
    public var userID: UUID?
    public var idNumberSealed: Data
    public var idNumberIndex: Data
    public var idNumberMasked: String
    public var contactSealed: Data?
    public var contactMasked: String?

    public init(
        name: String, unit: String, position: String, userID: UUID?, idNumber: ResidentIDNumber, contact: String? = nil,
        keys: PersonalDataKeys
    ) throws {
        self.name = name
        self.unit = unit
        self.position = position
        self.userID = userID
        self.idNumberSealed = try keys.seal(idNumber.value)
        self.idNumberIndex = keys.index(idNumber.value)
        self.idNumberMasked = idNumber.masked
        self.contactSealed = try contact.map(keys.seal)
        self.contactMasked = contact.map(ContactDetails.masked)
    }
}

/// A client certificate signed for a credential, as recorded.
public struct IssuedClientCertificate: Sendable, Equatable {
    public var serial: String
    public var credentialID: UUID
    public var notAfter: Date
    public var issuedAt: Date
    public var issuedBy: UUID

    public init(serial: String, credentialID: UUID, notAfter: Date, issuedAt: Date, issuedBy: UUID) {
        self.serial = serial
        self.credentialID = credentialID
        self.notAfter = notAfter
        self.issuedAt = issuedAt
        self.issuedBy = issuedBy
    }
}

/// A public key an agency has signed with, and since when it no longer does.
public struct PublishedSigningKey: Sendable, Equatable {
    public var publicKey: Data
    public var createdAt: Date
    public var retiredAt: Date?

    public init(publicKey: Data, createdAt: Date, retiredAt: Date?) {
        self.publicKey = publicKey
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }
}

/// Credentials as stored, inside one agency's transaction.
public protocol CredentialRecords: Sendable {
    /// Throws `ALREADY_EXISTS` when the person, or the user account, is already an officer
    /// of the agency.
    /// Stores a new officer, on the corps list from `at`.
    func insertOfficer(_ officer: NewOfficer, at: Date) async throws -> UUID
    func officer(id: UUID) async throws -> Officer?
    func officer(userID: UUID) async throws -> Officer?
    /// Officers ordered by name then id, after the given (name, id) key.
    func officers(after: (name: String, id: UUID)?, limit: Int) async throws -> [Officer]
    func insertExamResult(officerID: UUID, _ result: Credential.ExamResult, recordedBy: UUID) async throws
    /// Each officer's exam results, newest first; an officer without any maps to none.
    func examResults(officerIDs: [UUID]) async throws -> [UUID: [Credential.ExamResult]]
    /// Sets the officer's training hours of a year (the total, not an increment).
    func setTrainingHours(officerID: UUID, year: Int, hours: Int) async throws
    /// Each officer's training hours by year; an officer without any maps to none.
    func trainingHours(officerIDs: [UUID]) async throws -> [UUID: [Int: Int]]

    /// The next number for the agency and year, never handed out before.
    func nextCredentialNumber(agencyCode: String, year: Int) async throws -> String
    func insertCredential(_ credential: Credential) async throws
    /// The credential with its history and reviews, and the version it was read at;
    /// `locking` holds it until the transaction ends.
    func credential(id: UUID, locking: Bool) async throws -> (Credential, version: Int)?
    func credentials(officerID: UUID) async throws -> [Credential]
    /// Every named officer's credentials (an empty list for an officer with none), read
    /// together: an act asks the authority of all the officers it names.
    func credentials(officerIDs: [UUID]) async throws -> [UUID: [Credential]]
    /// The credential with this number and its holder's name (for public verification).
    func credential(number: String) async throws -> (Credential, holderName: String)?
    /// Ids of the credentials the daily sweep looks at (active or suspended).
    func sweepCandidates() async throws -> [UUID]
    /// Saves a credential read at `version`: its fields, new transitions and new reviews.
    /// Returns false when someone else changed it since.
    func save(_ credential: Credential, readAt version: Int) async throws -> Bool

    /// Queues an entry for the public record (the outbox the disclosure publisher reads).
    func queuePublicRecord(_ entry: PublicRecordEntry) async throws
    /// Unpublished entries in the order they were queued.
    func unpublishedPublicRecords(limit: Int) async throws -> [PublicRecordEntry]

    /// The agency's signing key in use for `purpose`, if made.
    func signingKey(purpose: String) async throws -> StoredSigningKey?
    /// Stores a new signing key unless one is in use; returns the one in use afterwards.
    func insertSigningKey(purpose: String, _ key: StoredSigningKey) async throws -> StoredSigningKey
    /// Every public key ever used for `purpose`, oldest first: the one in use and the
    /// retired ones, which keep verifying what they signed.
    func signingKeyHistory(purpose: String) async throws -> [PublishedSigningKey]
    /// Retires the key in use for `purpose` (the next use makes a new one); false when
    /// there was none.
    func retireSigningKey(purpose: String, at time: Date) async throws -> Bool

    func insertClientCertificate(_ certificate: IssuedClientCertificate) async throws
}

extension CredentialRecords {
    /// The officer's exam results, newest first.
    public func examResults(officerID: UUID) async throws -> [Credential.ExamResult] {
        try await examResults(officerIDs: [officerID])[officerID] ?? []
    }

    public func trainingHours(officerID: UUID) async throws -> [Int: Int] {
        try await trainingHours(officerIDs: [officerID])[officerID] ?? [:]
    }
}
