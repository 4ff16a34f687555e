import Foundation

/// A session ends at its absolute expiry, after `idle` without a call, or when ended
/// (logout, the user disabled, the password changed). Settings `session.absolute_minutes`
/// and `session.idle_minutes`.
public struct SessionRules: Sendable, Equatable {
    public var absolute: TimeInterval
    public var idle: TimeInterval

    public init(absolute: TimeInterval, idle: TimeInterval) {
        self.absolute = absolute
        self.idle = idle
    }

    public init(settings: AgencySettings) throws {
        self.init(absolute: try settings.minutes("session.absolute_minutes"), idle: try settings.minutes("session.idle_minutes"))
    }

    public func expiry(createdAt: Date) -> Date { createdAt.addingTimeInterval(absolute) }

    public func isLive(expiresAt: Date, lastSeenAt: Date, endedAt: Date?, now: Date) -> Bool {
        endedAt == nil && now < expiresAt && now.timeIntervalSince(lastSeenAt) < idle
    }
}
