import FazhiRules
import FazhiUseCases
import FazhiWire
import GRPCCore
import Synchronization

/// How long server streams may hold the server: at most `maximum` exports at once (each
/// may hold a database connection and a transaction for its whole life), and no stream
/// waits longer than `idleTimeout` for its client to take the next chunk. Together they
/// keep one caller's stalled downloads from starving everyone else.
public struct StreamLimits: Sendable {
    public var maximum: Int
    public var idleTimeout: Duration

    public init(maximum: Int = 4, idleTimeout: Duration = .seconds(30)) {
        self.maximum = maximum
        self.idleTimeout = idleTimeout
    }
}

/// The slots for streams that hold database connections; a stream takes one for its life.
final class StreamSlots: Sendable {
    let limits: StreamLimits
    private let used = Mutex(0)

    init(_ limits: StreamLimits) { self.limits = limits }

    /// Runs `body` in a slot, or refuses at once with RESOURCE_EXHAUSTED when all are taken.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        let taken = used.withLock { used in
            guard used < limits.maximum else { return false }
            used += 1
            return true
        }
        guard taken else {
            throw DomainError.exportsAtLimit(limits.maximum)
        }
        defer { used.withLock { $0 -= 1 } }
        return try await body()
    }

    var inUse: Int { used.withLock { $0 } }
}

/// A stream's writer that ends the stream when its client has not taken a chunk within
/// `idleTimeout`: the handler's work stops, and its transaction is released.
struct IdleLimitedWriter<Element: Sendable>: RPCWriterProtocol {
    let base: RPCWriter<Element>
    let idleTimeout: Duration

    func write(_ element: Element) async throws {
        let idleTimeout = idleTimeout
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await base.write(element)
                return true
            }
            group.addTask {
                try await Task.sleep(for: idleTimeout)
                return false
            }
            let accepted = try await group.next() ?? false
            group.cancelAll()
            guard accepted else {
                throw RPCError(code: .deadlineExceeded, message: "the client took nothing for \(idleTimeout); the stream was ended")
            }
        }
    }

    func write(contentsOf elements: some Sequence<Element>) async throws {
        for element in elements { try await write(element) }
    }
}
