import FazhiRules
import FazhiUseCases
import FazhiWire
import NIOPosix

/// scrypt on NIO's pool for blocking work, off the event loops the calls run on.
struct ThreadPoolPasswordHashing: PasswordHashing {
    var pool: NIOThreadPool = .singleton

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }
}
