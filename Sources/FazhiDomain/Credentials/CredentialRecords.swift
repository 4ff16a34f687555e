import Foundation

/// An officer 执法人员 about to be recorded; the ID number is already sealed.
public struct NewOfficer: Sendable {
    public var name: String
    public var unit: String
    public var position: String
    public var userID: UUID?
    public var idNumberSealed: Data
    public var idNumberIndex: Data
    public var idNumberMasked: String

    public init(name: String, unit: String, position: String, userID: UUID?, idNumber: ResidentIDNumber, keys: PersonalDataKeys) throws {
        self.name = name
        self.unit = unit
        self.position = position
        self.userID = userID
        self.idNumberSealed = try keys.seal(idNumber.value)
        self.idNumberIndex = keys.index(idNumber.value)
        self.idNumberMasked = idNumber.masked
    }
}

/// Credentials as stored, inside one agency's transaction.
public protocol CredentialRecords: Sendable {
    /// Throws `ALREADY_EXISTS` when the person is already an officer of the agency.
    func insertOfficer(_ officer: NewOfficer) async throws -> UUID
    /// The next number for the agency and year, never handed out before.
    func nextCredentialNumber(agencyCode: String, year: Int) async throws -> String
    func insertCredential(_ credential: Credential) async throws
    /// The credential with its history and reviews, and the version it was read at;
    /// `locking` holds it until the transaction ends.
    func credential(id: UUID, locking: Bool) async throws -> (Credential, version: Int)?
    func credentials(officerID: UUID) async throws -> [Credential]
    /// The credential with this number and its holder's name (for public verification).
    func credential(number: String) async throws -> (Credential, holderName: String)?
    /// Ids of the credentials the daily sweep looks at (active or suspended).
    func sweepCandidates() async throws -> [UUID]
    /// Saves a credential read at `version`: its fields, new transitions and new reviews.
    /// Returns false when someone else changed it since.
    func save(_ credential: Credential, readAt version: Int) async throws -> Bool
}
