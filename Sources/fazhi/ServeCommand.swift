import ArgumentParser
import FazhiFiles
import FazhiGateway
import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "运行服务 / serve gRPC over TLS (and mutual TLS) until SIGTERM.",
        discussion: "Settings come from FAZHI_* environment variables over --config (JSON); see docs/OPERATOR.md."
    )

    @Option(name: .long, help: "A JSON configuration file.")
    var config: String?

    func run() async throws {
        bootstrapLogging()
        let settings = try await ServerSettings.load(configFile: config)
        try await Self.serve(settings, announce: { _, _ in })
    }

    /// Runs the gateway (and the portal) until SIGTERM or SIGINT; `announce` gets the
    /// gateway and the portal's bound port once listening.
    static func serve(_ settings: ServerSettings, announce: @escaping @Sendable (Gateway, Int?) async throws -> Void) async throws {
        let logger = Logger(label: "fazhi.serve")
        let pool = ConnectionPool(
            configuration: PostgresConfiguration(connectionString: settings.databaseURL, applicationName: "fazhi"),
            options: .init(maximumConnections: settings.poolSize))
        // Calls run on the PostgreSQL event loops: their statements then resume them on the
        // same thread (docs/PERFORMANCE.md).
        let evidence = try settings.evidenceDirectory.map { try FileEvidenceStore(root: URL(fileURLWithPath: $0)) }
        let store = PostgresTenantStore(pool: pool)
        let gateway = try Gateway(
            configuration: settings.gateway, store: store, evidence: evidence, logger: Logger(label: "fazhi.gateway"),
            executor: { PostgresEventLoop.next() })
        let disclosures = DisclosureWorker(
            pool: pool, store: store, log: DisclosureLogWork(store: store, sealer: settings.gateway.secrets.signingKeys),
            logger: Logger(label: "fazhi.disclosure"))
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: GatewayService(gateway: gateway)), .init(service: disclosures),
        ]
        if let evidence {
            let sweep = EvidenceSweepWork(
                store: store, evidence: evidence, abandonedAfter: TimeInterval(settings.abandonedUploadMinutes * 60),
                unreferencedAfter: TimeInterval(settings.unreferencedEvidenceMinutes * 60))
            services.append(
                .init(
                    service: EvidenceJanitor(
                        sweep: sweep, interval: .seconds(settings.evidenceSweepMinutes * 60), logger: Logger(label: "fazhi.evidence"))))
        }
        if let schedule = settings.dailyJobs {
            services.append(
                .init(
                    service: DailyJobs(
                        schedule: schedule, runs: DailyJobRuns(pool: pool), store: store,
                        database: PostgresConfiguration(connectionString: settings.databaseURL, applicationName: "fazhi-jobs"),
                        logger: Logger(label: "fazhi.jobs"))))
        }
        let (portalBound, portalBinding) = AsyncStream<Int>.makeStream()
        // The portal's list pages may read from a standby, through a small pool of their own.
        let replicaPool =
            settings.portalPort == nil
            ? nil
            : settings.portalDatabaseURL.map { url in
                ConnectionPool(
                    configuration: PostgresConfiguration(connectionString: url, applicationName: "fazhi-portal"),
                    options: .init(maximumConnections: max(2, settings.poolSize / 4)))
            }
        if let port = settings.portalPort {
            let portal = Portal(store: store, replica: replicaPool.map { PostgresTenantStore(pool: $0) }, secrets: settings.gateway.secrets)
            services.append(
                .init(
                    service: try portal.application(
                        host: settings.portalHost, port: port, certificateChainPath: settings.gateway.certificateChainPath,
                        privateKeyPath: settings.gateway.privateKeyPath, logger: Logger(label: "fazhi.portal"), limits: settings.gateway.connections,
                        onRunning: {
                            portalBinding.yield($0)
                            portalBinding.finish()
                        })))
        } else {
            portalBinding.finish()
        }
        if let port = settings.metricsPort {
            let metrics = MetricsServer(registry: MetricsServer.bootstrap(), host: settings.metricsHost, port: port)
            services.append(.init(service: metrics.application(logger: Logger(label: "fazhi.metrics"))))
            services.append(.init(service: PoolGauges(pool: pool)))
        }
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Calls in flight get the grace to finish; then what is left is cancelled.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(settings.shutdownGraceSeconds)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                let ports = try await gateway.boundPorts()
                var portalPort: Int?
                for await port in portalBound { portalPort = port }
                logger.info(
                    "serving",
                    metadata: [
                        "grpc": "\(settings.gateway.host):\(ports.main)",
                        "mtls": "\(ports.mutualTLS.map { "\(settings.gateway.host):\($0)" } ?? "off")",
                        "portal": "\(portalPort.map { "https://\(settings.portalHost):\($0)" } ?? "off")",
                    ])
                try await announce(gateway, portalPort)
            }
            try await tasks.waitForAll()
        }
        await replicaPool?.close()
        await pool.close()
    }
}

/// Structured logs on standard error; FAZHI_LOG_LEVEL picks the level (default info).
func bootstrapLogging() {
    let level = ProcessInfo.processInfo.environment["FAZHI_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
