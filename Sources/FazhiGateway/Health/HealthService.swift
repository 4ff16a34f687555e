import FazhiRPC
import GRPCCore
import Synchronization

/// `grpc.health.v1.Health`: the server ("") and each Fazhi service report SERVING while
/// the database can be reached and shutdown has not begun, NOT_SERVING otherwise; a
/// `Watch` stream hears each change, and ends at shutdown.
final class HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private let services: Set<String>
    private let state = Mutex(State())

    private struct State {
        var shuttingDown = false
        var databaseReachable = true
        var watchers: [Int: AsyncStream<Status>.Continuation] = [:]
        var nextWatcher = 0

        var status: Status { !shuttingDown && databaseReachable ? .serving : .notServing }
    }

    init(services: [String]) {
        self.services = Set(services + [""])
    }

    func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard services.contains(request.service) else {
            throw RPCError(code: .notFound, message: "unknown service \(request.service)")
        }
        return .with { $0.status = currentStatus }
    }

    func watch(
        request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>, context: ServerContext
    ) async throws {
        guard services.contains(request.service) else {
            try await response.write(.with { $0.status = .serviceUnknown })
            return
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Status.self)
        let (id, status): (Int?, Status) = state.withLock { state in
            guard !state.shuttingDown else { return (nil, state.status) }
            state.nextWatcher += 1
            state.watchers[state.nextWatcher] = continuation
            return (state.nextWatcher, state.status)
        }
        defer { if let id { _ = state.withLock { $0.watchers.removeValue(forKey: id) } } }
        try await response.write(.with { $0.status = status })
        guard id != nil else { return }
        for await status in stream {
            try await response.write(.with { $0.status = status })
        }
    }

    var currentStatus: Status { state.withLock { $0.status } }

    /// Whether the database answered the latest probe; watchers hear a change.
    func setDatabaseReachable(_ reachable: Bool) {
        let (changed, status, watchers) = state.withLock { state in
            let before = state.status
            state.databaseReachable = reachable
            return (before != state.status, state.status, Array(state.watchers.values))
        }
        guard changed else { return }
        for watcher in watchers { watcher.yield(status) }
    }

    /// Shutdown has begun: report NOT_SERVING and end every watch.
    func beginShutdown() {
        let watchers = state.withLock { state in
            state.shuttingDown = true
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in watchers {
            watcher.yield(.notServing)
            watcher.finish()
        }
    }
}
