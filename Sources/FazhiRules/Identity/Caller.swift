import Foundation

/// Who is calling, once proven: a user of one agency with their roles.
public struct Caller: Sendable, Equatable {
    public enum Proof: String, Sendable {
        case session
        case clientCertificate = "client_certificate"
    }

    public var agency: Agency
    public var userID: UUID
    public var username: String
    public var displayName: String
    public var roles: Set<Role>
    public var proof: Proof
    /// The session behind a bearer token (nil for a client certificate).
    public var sessionID: UUID?
    /// The officer record linked to the user, when authentication read it along (nil: not
    /// read, or no officer; ask the store then).
    public var officerID: UUID?

    public init(
        agency: Agency, userID: UUID, username: String, displayName: String, roles: Set<Role>, proof: Proof, sessionID: UUID?,
        officerID: UUID? = nil
    ) {
        self.agency = agency
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.roles = roles
        self.proof = proof
        self.sessionID = sessionID
        self.officerID = officerID
    }
}

/// An agency of the deployment.
public struct Agency: Sendable, Equatable {
    /// The reserved agency of platform administrators.
    public static let platformCode = "platform"

    public var id: UUID
    public var code: String
    public var name: String
    public var divisionCode: String
    public var createdAt: Date

    public init(id: UUID, code: String, name: String, divisionCode: String, createdAt: Date) {
        self.id = id
        self.code = code
        self.name = name
        self.divisionCode = divisionCode
        self.createdAt = createdAt
    }

    public var isPlatform: Bool { code == Self.platformCode }
}
