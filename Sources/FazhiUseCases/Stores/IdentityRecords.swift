import FazhiRules
import Foundation

/// A user as stored.
public struct UserRecord: Sendable, Equatable {
    public var id: UUID
    public var username: String
    public var displayName: String
    public var passwordHash: PasswordHash
    public var roles: Set<Role>
    public var createdAt: Date
    public var disabledAt: Date?

    public init(id: UUID, username: String, displayName: String, passwordHash: PasswordHash, roles: Set<Role>, createdAt: Date, disabledAt: Date?) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.roles = roles
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }
}

/// A session as stored (the token itself never is).
public struct SessionRecord: Sendable, Equatable {
    public var id: UUID
    public var userID: UUID
    public var createdAt: Date
    public var lastSeenAt: Date
    public var expiresAt: Date
    public var endedAt: Date?

    public init(id: UUID, userID: UUID, createdAt: Date, lastSeenAt: Date, expiresAt: Date, endedAt: Date?) {
        self.id = id
        self.userID = userID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.endedAt = endedAt
    }
}

/// What a bearer token's call needs to know of its session, read together.
public struct LiveSession: Sendable {
    public var session: SessionRecord
    public var user: UserRecord?
    public var officerID: UUID?
    public var settings: AgencySettings

    public init(session: SessionRecord, user: UserRecord?, officerID: UUID?, settings: AgencySettings) {
        self.session = session
        self.user = user
        self.officerID = officerID
        self.settings = settings
    }
}

/// A user about to be created.
public struct NewUser: Sendable, Equatable {
    public var username: String
    public var displayName: String
    public var passwordHash: PasswordHash
    public var roles: Set<Role>

    public init(username: String, displayName: String, passwordHash: PasswordHash, roles: Set<Role>) {
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.roles = roles
    }
}
