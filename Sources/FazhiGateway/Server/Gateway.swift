import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOPosix
import NIOSSL
import Synchronization
import X509

/// The gRPC front door: the main TLS port (bearer tokens) and the mutual-TLS port
/// (client certificates), the same services behind both, one interceptor deciding who may
/// call what and auditing every call.
public final class Gateway: Sendable {
    public let configuration: GatewayConfiguration
    private let main: GRPCServer<HTTP2ServerTransport.Posix>
    private let mutualTLS: GRPCServer<HTTP2ServerTransport.Posix>?
    private let health: HealthService
    private let store: any TenantStore
    private let logger: Logger

    /// Every service the gateway serves, for the health protocol and the access-table test.
    public static let serviceNames = [
        Fazhi_V1_AuthService.descriptor.fullyQualifiedService,
        Fazhi_V1_AdminService.descriptor.fullyQualifiedService,
        Fazhi_V1_AuditService.descriptor.fullyQualifiedService,
        Fazhi_V1_VerificationService.descriptor.fullyQualifiedService,
        Fazhi_V1_CredentialService.descriptor.fullyQualifiedService,
        Fazhi_V1_PowerListService.descriptor.fullyQualifiedService,
        Fazhi_V1_PartyService.descriptor.fullyQualifiedService,
        Fazhi_V1_CaseService.descriptor.fullyQualifiedService,
        Fazhi_V1_DisclosureService.descriptor.fullyQualifiedService,
        Fazhi_V1_StatisticsService.descriptor.fullyQualifiedService,
        Fazhi_V1_CaseRecordService.descriptor.fullyQualifiedService,
        Grpc_Health_V1_Health.descriptor.fullyQualifiedService,
    ]

    /// `executor`, when given, picks where each call runs (e.g. the PostgreSQL event loops);
    /// `evidence` is where case evidence files are kept (none: uploads are refused).
    public init(
        configuration: GatewayConfiguration, store: any TenantStore, evidence: (any EvidenceStore)? = nil,
        logger: Logger = Logger(label: "fazhi.gateway"),
        clock: @escaping @Sendable () -> Date = { Date() }, executor: (@Sendable () -> any TaskExecutor)? = nil
    ) throws {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        let identity = IdentityWork(store: store, scrypt: configuration.scrypt, work: ThreadPoolPasswordHashing())
        let health = HealthService(services: Self.serviceNames)
        self.health = health
        // The agencies' client CAs follow their files: an agency's CA is rotated by adding
        // the new certificate to its file, then removing the old (docs/OPERATOR.md).
        let authorityFiles = Array(configuration.clientAuthorityPaths.values) + Array(configuration.clientAuthorityKeyPaths.values)
        let authorities = try ReloadingFiles(
            files: authorityFiles.sorted(), what: "agency client CAs", interval: configuration.tlsReloadInterval, logger: logger
        ) {
            try ClientAuthorities.load(certificatePaths: configuration.clientAuthorityPaths, keyPaths: configuration.clientAuthorityKeyPaths)
        }
        let verification = VerificationWork(store: store)
        let keys = SigningKeyWork(store: store, sealer: configuration.secrets.signingKeys)
        let services: [any RegistrableRPCService] = [
            AuthServiceAdapter(identity: identity, clock: clock),
            AdminServiceAdapter(
                administration: UserWork(store: store, scrypt: configuration.scrypt, work: ThreadPoolPasswordHashing()), clock: clock),
            AuditServiceAdapter(store: store),
            VerificationServiceAdapter(verification: verification, keys: keys, clock: clock),
            CredentialServiceAdapter(
                corps: OfficerWork(store: store, secrets: configuration.secrets), administration: CredentialWork(store: store),
                verification: verification, keys: keys, certificates: ClientCertificateWork(store: store), authorities: authorities, clock: clock),
            PowerListServiceAdapter(administration: PowerListWork(store: store), clock: clock),
            PartyServiceAdapter(registry: PartyWork(store: store, keys: configuration.secrets.personalData), clock: clock),
            CaseServiceAdapter(work: CaseWork(store: store), clock: clock),
            DisclosureServiceAdapter(
                work: DisclosureWork(store: store), log: DisclosureLogWork(store: store, sealer: configuration.secrets.signingKeys), clock: clock),
            StatisticsServiceAdapter(work: StatisticsWork(store: store), clock: clock, streams: StreamSlots(configuration.streams)),
            CaseRecordServiceAdapter(
                work: CaseWork(store: store), evidence: evidence, maximumBytes: configuration.evidenceMaximumBytes, clock: clock,
                idleTimeout: configuration.streams.idleTimeout),
            health,
        ]
        let audit = AuditWriter(store: store)
        let idempotency = IdempotentCall(store: store, clock: clock, logger: logger)
        let ioThreads = Self.ioThreads(configuration.ioThreads)
        let mainTLS = try Self.tlsContext(configuration, clientRoots: nil, logger: logger)
        main = GRPCServer(
            transport: .http2NIOPosix(
                address: .ipv4(host: configuration.host, port: configuration.port),
                transportSecurity: .plaintext, config: Self.transportConfig(tls: mainTLS, configuration), eventLoopGroup: ioThreads),
            services: services,
            interceptors: ServerInterceptorChain.interceptors(
                identity: identity, certificates: nil, audit: audit, idempotency: idempotency,
                clientAddress: ClientAddress(trustedProxies: configuration.trustedProxies), logger: logger, clock: clock, executor: executor))

        if let port = configuration.mutualTLSPort {
            guard !configuration.clientAuthorityPaths.isEmpty else {
                throw GatewayConfigurationError("the mutual-TLS port needs at least one agency CA (clientAuthorityPaths)")
            }
            let mutualTLSContext = try Self.tlsContext(configuration, clientRoots: configuration.clientAuthorityPaths.values.sorted(), logger: logger)
            let certificates = ClientCertificateIdentity(authorities: authorities, identity: identity)
            mutualTLS = GRPCServer(
                transport: .http2NIOPosix(
                    address: .ipv4(host: configuration.host, port: port),
                    transportSecurity: .plaintext, config: Self.transportConfig(tls: mutualTLSContext, configuration), eventLoopGroup: ioThreads),
                services: services,
                interceptors: ServerInterceptorChain.interceptors(
                    identity: identity, certificates: certificates, audit: audit, idempotency: idempotency,
                    clientAddress: ClientAddress(trustedProxies: configuration.trustedProxies), logger: logger, clock: clock, executor: executor))
        } else {
            mutualTLS = nil
        }
    }

    /// The TLS of a gRPC port under `ServerTLS`'s policy; with `clientRoots`, mutual TLS.
    /// It follows its files: a renewed certificate or client CA is served without a restart.
    private static func tlsContext(_ configuration: GatewayConfiguration, clientRoots: [String]?, logger: Logger) throws -> ReloadingTLSContext {
        do {
            return try ReloadingTLSContext(
                files: [configuration.certificateChainPath, configuration.privateKeyPath] + (clientRoots ?? []), what: "TLS certificate",
                interval: configuration.tlsReloadInterval, logger: logger
            ) {
                try NIOSSLContext(
                    configuration: ServerTLS.configuration(
                        certificateChainPath: configuration.certificateChainPath, privateKeyPath: configuration.privateKeyPath,
                        clientRoots: clientRoots, applicationProtocols: ["grpc-exp", "h2"]))
            }
        } catch {
            throw GatewayConfigurationError(
                "cannot set up TLS from \(configuration.certificateChainPath) and \(configuration.privateKeyPath): \(error)")
        }
    }

    /// The transport's defaults, with TLS and the connection limits put in front of every
    /// accepted connection (`ServerTLS.grpcConnectionHook`; the ports are plain HTTP/2 only
    /// to the transport), idle connections closed, and a grace for calls at shutdown.
    private static func transportConfig(tls: ReloadingTLSContext, _ configuration: GatewayConfiguration) -> HTTP2ServerTransport.Posix.Config {
        var config = HTTP2ServerTransport.Posix.Config.defaults
        config.channelDebuggingCallbacks.onAcceptTCPConnection = ServerTLS.grpcConnectionHook(tls, count: ConnectionCount(configuration.connections))
        config.connection.maxIdleTime = configuration.connections.idleTimeout
        return config
    }

    /// One group of I/O threads per size for the whole process, like NIO's own singleton:
    /// gateways (and tests) come and go, their threads stay.
    private static let ioGroups = Mutex<[Int: MultiThreadedEventLoopGroup]>([:])

    private static func ioThreads(_ count: Int) -> MultiThreadedEventLoopGroup {
        ioGroups.withLock { groups in
            if let group = groups[count] { return group }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: count)
            groups[count] = group
            return group
        }
    }

    /// Serves until `beginGracefulShutdown` and every call in flight has finished.
    public func run() async throws {
        let monitor = Task { await monitorDatabase() }
        defer { monitor.cancel() }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.main.serve() }
            if let mutualTLS { group.addTask { try await mutualTLS.serve() } }
        }
    }

    /// Probes the database every `databaseProbeInterval` and tells health whether it
    /// answered, so load balancers and probes stop sending calls during an outage.
    private func monitorDatabase() async {
        var reachable = true
        while !Task.isCancelled {
            do {
                try await store.ping()
                if !reachable { logger.info("database reachable again") }
                reachable = true
            } catch is CancellationError {
                return
            } catch {
                if reachable { logger.warning("database unreachable: health reports NOT_SERVING", metadata: ["error": "\(error)"]) }
                reachable = false
            }
            health.setDatabaseReachable(reachable)
            try? await Task.sleep(for: configuration.databaseProbeInterval)
        }
    }

    /// The ports actually bound (useful with port 0), once listening.
    public func boundPorts() async throws -> (main: Int, mutualTLS: Int?) {
        func port(_ server: GRPCServer<HTTP2ServerTransport.Posix>) async throws -> Int {
            guard let address = try await server.listeningAddress, let ipv4 = address.ipv4 else {
                throw GatewayConfigurationError("the server is not listening on IPv4")
            }
            return ipv4.port
        }
        let mainPort = try await port(main)
        if let mutualTLS { return (mainPort, try await port(mutualTLS)) }
        return (mainPort, nil)
    }

    /// Stops accepting calls and ends health watches; calls in flight finish.
    public func beginGracefulShutdown() {
        logger.info("graceful shutdown begins")
        health.beginShutdown()
        main.beginGracefulShutdown()
        mutualTLS?.beginGracefulShutdown()
    }
}

public struct GatewayConfigurationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
