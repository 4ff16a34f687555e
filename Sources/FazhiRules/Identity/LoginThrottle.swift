import Foundation

/// Failed sign-ins are counted per agency and username, whether or not the user exists;
/// after `maximumFailures` within `window` the name is locked for `lockout` after the
/// last of them. Settings `login.max_failures`, `login.failure_window_minutes`,
/// `login.lockout_minutes`.
public struct LoginThrottle: Sendable, Equatable {
    public var maximumFailures: Int
    public var window: TimeInterval
    public var lockout: TimeInterval

    public init(maximumFailures: Int, window: TimeInterval, lockout: TimeInterval) {
        self.maximumFailures = maximumFailures
        self.window = window
        self.lockout = lockout
    }

    public init(settings: AgencySettings) throws {
        self.init(
            maximumFailures: try settings.integer("login.max_failures"),
            window: try settings.minutes("login.failure_window_minutes"),
            lockout: try settings.minutes("login.lockout_minutes"))
    }

    /// How far back failures matter at `now`: a lock can only come from failures this recent.
    public func relevantSince(_ now: Date) -> Date { now.addingTimeInterval(-(window + lockout)) }

    /// When the name is locked until, given its recent failures (any order), or nil.
    public func lockedUntil(failures: [Date], now: Date) -> Date? {
        // Every recorded failure counts, even one stamped a hair after `now`: the database
        // keeps microseconds, so a failure read back can round up past the clock.
        let sorted = failures.sorted()
        guard sorted.count >= maximumFailures else { return nil }
        // A lock starts at the failure that completes `maximumFailures` within the window.
        var latestLock: Date?
        for end in (maximumFailures - 1)..<sorted.count {
            let start = sorted[end - maximumFailures + 1]
            if sorted[end].timeIntervalSince(start) <= window { latestLock = sorted[end] }
        }
        guard let lockedAt = latestLock else { return nil }
        let until = lockedAt.addingTimeInterval(lockout)
        return until > now ? until : nil
    }
}
