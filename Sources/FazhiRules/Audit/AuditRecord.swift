import Foundation

/// One call, as the audit log keeps it: who, what, on which targets, how it ended, from
/// where, how long it took. Never a password, token or other secret.
public struct AuditRecord: Sendable, Equatable {
    /// Assigned by the log; nil before it is written.
    public var sequence: Int64?
    public var at: Date
    public var agencyID: UUID?
    public var agencyCode: String?
    public var userID: UUID?
    public var username: String?
    public var roles: [Role]
    public var method: String
    public var targetIDs: [String]
    /// The gRPC status code name ("OK", "PERMISSION_DENIED", ...).
    public var status: String
    /// The stable reason of a failure, or the incident id of an internal one.
    public var reason: String?
    public var peer: String
    public var requestID: String
    public var durationMicroseconds: Int64

    public init(
        sequence: Int64? = nil, at: Date, agencyID: UUID?, agencyCode: String?, userID: UUID?, username: String?, roles: [Role],
        method: String, targetIDs: [String], status: String, reason: String?, peer: String, requestID: String, durationMicroseconds: Int64
    ) {
        self.sequence = sequence
        self.at = at
        self.agencyID = agencyID
        self.agencyCode = agencyCode
        self.userID = userID
        self.username = username
        self.roles = roles
        self.method = method
        self.targetIDs = targetIDs
        self.status = status
        self.reason = reason
        self.peer = peer
        self.requestID = requestID
        self.durationMicroseconds = durationMicroseconds
    }
}

/// Filters of an audit query; nil means any.
public struct AuditFilter: Sendable, Equatable {
    public var username: String?
    public var method: String?
    public var status: String?
    public var since: Date?
    public var until: Date?

    public init(username: String? = nil, method: String? = nil, status: String? = nil, since: Date? = nil, until: Date? = nil) {
        self.username = username
        self.method = method
        self.status = status
        self.since = since
        self.until = until
    }
}
