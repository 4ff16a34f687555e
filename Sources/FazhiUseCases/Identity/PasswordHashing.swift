import FazhiRules

/// Where scrypt runs. Hashing or checking a password takes tens of milliseconds of CPU (far
/// more in a debug build); a call's statements resume on the event loop the call runs on, so
/// hashing there stalls every other call on that loop. The server passes a thread pool meant
/// for blocking work; tools and tests run it in place.
public protocol PasswordHashing: Sendable {
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T
}

/// Runs the work on the caller's own thread.
public struct InPlacePasswordHashing: PasswordHashing {
    public init() {}

    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T { try body() }
}
