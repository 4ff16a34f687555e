import FazhiPostgres
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// The only plaintext listener: Prometheus metrics at /metrics, on localhost unless
/// configured otherwise. Also samples the database pool every few seconds.
struct MetricsServer {
    let registry: PrometheusCollectorRegistry
    let host: String
    let port: Int

    /// Bootstraps swift-metrics with Prometheus; call once per process.
    static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    func application(logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        let registry = self.registry
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil), logger: logger)
    }
}

/// Publishes the pool's use as gauges until shutdown.
struct PoolGauges: Service {
    let pool: ConnectionPool

    func run() async throws {
        let open = Gauge(label: "fazhi_db_pool_open_connections")
        let idle = Gauge(label: "fazhi_db_pool_idle_connections")
        let waiting = Gauge(label: "fazhi_db_pool_waiting_tasks")
        let maximum = Gauge(label: "fazhi_db_pool_max_connections")
        maximum.record(pool.options.maximumConnections)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let usage = pool.usage
            open.record(usage.open)
            idle.record(usage.idle)
            waiting.record(usage.waiting)
            try? await Task.sleep(for: .seconds(5))
        }
    }
}
