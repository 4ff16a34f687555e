import FazhiRPC
import GRPCCore
import Synchronization

/// `grpc.health.v1.Health`: the server ("" ) and each Fazhi service report SERVING until
/// shutdown begins; then every `Watch` stream receives NOT_SERVING and ends.
final class HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private let services: Set<String>
    private let state = Mutex(State())

    private struct State {
        var serving = true
        var watchers: [Int: AsyncStream<Status>.Continuation] = [:]
        var nextWatcher = 0
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

    func watch(request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>, context: ServerContext) async throws {
        guard services.contains(request.service) else {
            try await response.write(.with { $0.status = .serviceUnknown })
            return
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Status.self)
        let id: Int? = state.withLock { state in
            guard state.serving else { return nil }
            state.nextWatcher += 1
            state.watchers[state.nextWatcher] = continuation
            return state.nextWatcher
        }
        defer { if let id { _ = state.withLock { $0.watchers.removeValue(forKey: id) } } }
        try await response.write(.with { $0.status = currentStatus })
        guard id != nil else { return }
        for await status in stream {
            try await response.write(.with { $0.status = status })
            if status == .notServing { return }
        }
    }

    private var currentStatus: Status { state.withLock { $0.serving ? .serving : .notServing } }

    /// Shutdown has begun: report NOT_SERVING and end every watch.
    func beginShutdown() {
        let watchers = state.withLock { state in
            state.serving = false
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in watchers {
            watcher.yield(.notServing)
            watcher.finish()
        }
    }
}
