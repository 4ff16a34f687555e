import Crypto
import FazhiFiles
import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import Logging
import Testing
import X509

/// A live gateway over TLS on free ports, on a database of the test's own, with one agency
/// (`411202-MZ`) and its admin; plus the PEM files a client needs.
struct GatewayHarness: Sendable {
    static let agencyCode = "411202-MZ"
    static let adminUsername = "admin"
    static let adminPassword = "Initial-Passw0rd"
    /// Fast scrypt for tests; production uses `ScryptParameters.standard`.
    static let scrypt = ScryptParameters(logN: 10, blockSize: 8, parallelism: 1)
    /// Small, so tests can exceed it.
    static let evidenceMaximumBytes = 1024 * 1024
    /// A server secret of the test run (personal data, signing keys).
    static let secrets = try! ServerSecrets(secretBase64: ServerSecrets.generate())

    let database: TestDatabase
    let pool: ConnectionPool
    let store: PostgresTenantStore
    let gateway: Gateway
    let port: Int
    let mutualTLSPort: Int
    let files: TLSFiles
    let clock: TestClock
    let logs: LogCapture

    struct TLSFiles: Sendable {
        let directory: URL
        let serverCA: String
        /// The agency's client CA and a second CA that no agency owns.
        let agencyCA: CertificateAuthority
        let agencyCAPath: String
        let agencyCAKeyPath: String
        let strangerCA: CertificateAuthority
    }

    /// Runs `body` against a fresh gateway, then shuts everything down.
    static func with<T: Sendable>(_ body: @Sendable (GatewayHarness) async throws -> T) async throws -> T {
        try await TestDatabase.with { database in
            let files = try makeFiles()
            defer { try? FileManager.default.removeItem(at: files.directory) }
            let pool = ConnectionPool(configuration: database.application, options: .init(maximumConnections: 8))
            let store = PostgresTenantStore(pool: pool)
            _ = try await store.createAgency(
                code: agencyCode, name: "湖滨区民政局", divisionCode: "411202",
                admin: NewUser(
                    username: adminUsername, displayName: "管理员", passwordHash: try PasswordHash.make(adminPassword, parameters: scrypt),
                    roles: [.admin]),
                audit: nil, at: Date())
            let clock = TestClock()
            let logs = LogCapture()
            var logger = Logger(label: "fazhi.gateway", factory: { _ in logs })
            logger.logLevel = .trace
            let gateway = try Gateway(
                configuration: GatewayConfiguration(
                    host: "127.0.0.1", port: 0, mutualTLSPort: 0,
                    certificateChainPath: files.directory.appendingPathComponent("server.pem").path,
                    privateKeyPath: files.directory.appendingPathComponent("server-key.pem").path,
                    clientAuthorityPaths: [agencyCode: files.agencyCAPath], clientAuthorityKeyPaths: [agencyCode: files.agencyCAKeyPath],
                    secrets: secrets, scrypt: scrypt, evidenceMaximumBytes: evidenceMaximumBytes),
                store: store, evidence: try FileEvidenceStore(root: files.directory.appendingPathComponent("evidence")), logger: logger,
                clock: { clock.now })
            let server = Task { try await gateway.run() }
            do {
                let (port, mutualTLSPort) = try await gateway.boundPorts()
                let harness = GatewayHarness(
                    database: database, pool: pool, store: store, gateway: gateway, port: port,
                    mutualTLSPort: mutualTLSPort!, files: files, clock: clock, logs: logs)
                let value = try await body(harness)
                gateway.beginGracefulShutdown()
                try await server.value
                await pool.close()
                return value
            } catch {
                gateway.beginGracefulShutdown()
                _ = try? await server.value
                await pool.close()
                throw error
            }
        }
    }

    private static func makeFiles() throws -> TLSFiles {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fazhi-gw-\(UUID().uuidString.prefix(8))")
        let tls = try DevelopmentTLS.ensure(in: directory, agencyCode: agencyCode)
        return TLSFiles(
            directory: directory, serverCA: tls.caCertificate,
            agencyCA: try CertificateAuthority.load(certificatePath: tls.agencyCA, keyPath: tls.agencyCAKey), agencyCAPath: tls.agencyCA,
            agencyCAKeyPath: tls.agencyCAKey,
            strangerCA: try CertificateAuthority.create(commonName: "Stranger CA", organization: "Nobody", now: Date()))
    }

    /// Runs `body` with a client of another gateway on the same database: the server
    /// "after a restart".
    func withRestartedGateway<T: Sendable>(_ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        var configuration = gateway.configuration
        configuration.port = 0
        configuration.mutualTLSPort = nil
        let second = try Gateway(configuration: configuration, store: PostgresTenantStore(pool: pool), clock: { clock.now })
        let server = Task { try await second.run() }
        defer { second.beginGracefulShutdown() }
        let (port, _) = try await second.boundPorts()
        let value = try await withClient(port: port, body)
        second.beginGracefulShutdown()
        try await server.value
        return value
    }

    /// Runs `body` with a client of the main port, trusting the test CA.
    func withClient<T: Sendable>(port: Int? = nil, _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: "127.0.0.1", port: port ?? self.port),
            transportSecurity: .tls { $0.trustRoots = .certificates([.file(path: files.serverCA, format: .pem)]) })
        return try await withGRPCClient(transport: transport) { client in try await body(client) }
    }

    /// Runs `body` with a client of the mutual-TLS port presenting a certificate for
    /// `uri` issued by `authority`.
    func withCertificateClient<T: Sendable>(
        authority: CertificateAuthority, uri: String, port: Int? = nil,
        _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T
    ) async throws -> T {
        let (certificate, key) = try authority.issueClientCertificate(uri: uri, commonName: "test client", now: Date(), lifetime: 3600)
        return try await withCertificateClient(certificatePEM: try certificate.serializeAsPEM().pemString, key: key, port: port, body)
    }

    /// Runs `body` with a client of the mutual-TLS port presenting this certificate and key.
    func withCertificateClient<T: Sendable>(
        certificatePEM: String, key: P256.Signing.PrivateKey, port: Int? = nil,
        _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T
    ) async throws -> T {
        let name = UUID().uuidString.prefix(8)
        let certificatePath = files.directory.appendingPathComponent("client-\(name).pem").path
        let keyPath = files.directory.appendingPathComponent("client-\(name)-key.pem").path
        try certificatePEM.write(toFile: certificatePath, atomically: true, encoding: .utf8)
        try key.pemRepresentation.write(toFile: keyPath, atomically: true, encoding: .utf8)
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: "127.0.0.1", port: port ?? mutualTLSPort),
            transportSecurity: .mTLS(certificateChain: [.file(path: certificatePath, format: .pem)], privateKey: .file(path: keyPath, format: .pem)) {
                $0.trustRoots = .certificates([.file(path: files.serverCA, format: .pem)])
            })
        return try await withGRPCClient(transport: transport) { client in try await body(client) }
    }

    /// Signs in over `client` and returns the token.
    func login(
        _ client: GRPCClient<HTTP2ClientTransport.Posix>, username: String = adminUsername, password: String = adminPassword,
        agency: String = agencyCode
    ) async throws -> String {
        let auth = Fazhi_V1_AuthService.Client(wrapping: client)
        return try await auth.login(
            .with {
                $0.agencyCode = agency
                $0.username = username
                $0.password = password
            }
        ).token
    }

    /// Creates a user with `roles` through the admin and returns its password.
    func createUser(_ client: GRPCClient<HTTP2ClientTransport.Posix>, adminToken: String, username: String, roles: [Role]) async throws -> String {
        let password = "Pw-\(UUID().uuidString.prefix(12))"
        let admin = Fazhi_V1_AdminService.Client(wrapping: client)
        _ = try await admin.createUser(
            .with {
                $0.username = username
                $0.displayName = username
                $0.initialPassword = password
                $0.roles = roles.map(\.rawValue)
            }, metadata: bearer(adminToken))
        return password
    }

    /// Runs `body` with the port of a public portal over this harness's store (and
    /// `replica` for its list pages) and certificate, then stops the portal.
    func withPortal<T>(
        limits: ConnectionLimits = ConnectionLimits(), replica: (any TenantStore)? = nil, _ body: (Int) async throws -> T
    ) async throws -> T {
        let portal = Portal(store: store, replica: replica, secrets: Self.secrets, clock: { clock.now })
        let (bound, binding) = AsyncStream<Int>.makeStream()
        let application = try portal.application(
            host: "127.0.0.1", port: 0, certificateChainPath: files.directory.appendingPathComponent("server.pem").path,
            privateKeyPath: files.directory.appendingPathComponent("server-key.pem").path, logger: Logger(label: "portal-test"),
            limits: limits, onRunning: { binding.yield($0) })
        let serving = Task { try await application.runService() }
        defer { serving.cancel() }
        var iterator = bound.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let value = try await body(port)
        serving.cancel()
        _ = try? await serving.value
        return value
    }

    /// The agency's audit rows, oldest first, read as the owner.
    func auditRows() async throws -> [(method: String, status: String, username: String?, reason: String?)] {
        let owner = try await database.ownerConnection()
        defer { owner.close() }
        return try await owner.transaction(TransactionOptions(agencyID: try await agencyID())) { connection in
            try await connection.query("SELECT method, status, username, reason FROM agency_audit_log ORDER BY id").map {
                (try $0.decode(at: 0), try $0.decode(at: 1), try $0.decode(at: 2), try $0.decode(at: 3))
            }
        }
    }

    func platformAuditRows() async throws -> [(method: String, status: String, claimedAgency: String?)] {
        let owner = try await database.ownerConnection()
        defer { owner.close() }
        return try await owner.query("SELECT method, status, claimed_agency FROM platform_audit_log ORDER BY id").map {
            (try $0.decode(at: 0), try $0.decode(at: 1), try $0.decode(at: 2))
        }
    }

    func agencyID() async throws -> UUID {
        guard let agency = try await store.agency(code: Self.agencyCode) else { throw CancellationError() }
        return agency.id
    }
}

func bearer(_ token: String) -> Metadata { ["authorization": "Bearer \(token)"] }

extension RPCError {
    /// The `ErrorInfo.reason` of the google.rpc.Status in the trailers.
    var reason: String? {
        guard let status = try? unpackGoogleRPCStatus() else { return nil }
        for detail in status.details {
            if let info = detail.errorInfo { return info.reason }
        }
        return nil
    }

    var localizedMessages: [String: String] {
        guard let status = try? unpackGoogleRPCStatus() else { return [:] }
        var messages: [String: String] = [:]
        for detail in status.details {
            if let message = detail.localizedMessage { messages[message.locale] = message.message }
        }
        return messages
    }
}
