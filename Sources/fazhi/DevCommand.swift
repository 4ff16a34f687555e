import ArgumentParser
import FazhiClientVerbs
import FazhiGateway
import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation

/// The one command a newcomer runs.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "开发环境一键启动 / start everything locally: database, migrations, TLS, demo agency, server.",
        discussion: """
            Starts the embedded PostgreSQL under .fazhi/, migrates it, makes a development CA and \
            server certificate (localhost, 127.0.0.1) and a client CA for the demo agency, creates \
            the demo agency 湖滨区民政局 (411202-MZ) with an admin whose random password is written to \
            .fazhi/dev.json, and serves until Ctrl-C. Running it again reuses all of it.
            """
    )

    @Option(name: .long, help: "The gRPC port (bearer tokens).") var port = 7443
    @Option(name: .long, help: "The mutual-TLS port (client certificates).") var mtlsPort = 7444
    // Unconditional parsing, so `--metrics-port -1` reads -1 as the value, not as an option.
    @Option(name: .long, parsing: .unconditional, help: "The Prometheus metrics port (plain HTTP on 127.0.0.1); -1 turns it off.") var metricsPort =
        9464
    @Option(name: .long, parsing: .unconditional, help: "The public HTTPS portal's port; -1 turns it off.") var portalPort = 8443
    @Flag(name: .long, help: "Skip the demo data set on a first start (benchmarks start from an empty agency).") var noDemo = false

    static let demoAgencyCode = DemoAgency.code

    func run() async throws {
        bootstrapLogging()
        let state = try DatabaseCommand.startEmbedded()
        try await Self.migrate(state)
        let tls = try DevelopmentTLS.ensure(in: DevelopmentState.stateDirectory.appendingPathComponent("tls"), agencyCode: Self.demoAgencyCode)
        // One small pool for the demo data; the server opens its own.
        let pool = ConnectionPool(
            configuration: PostgresConfiguration(connectionString: state.applicationURL, applicationName: "fazhi-dev"),
            options: .init(maximumConnections: 2))
        let store = PostgresTenantStore(pool: pool)
        let admin = try await DemoAgency.ensureAgency(store)
        let demoPassword = DevInfo.read()?.demoPassword ?? DevInfo.randomPassword()
        if noDemo {
            try await DemoAgency.ensurePowerList(store)
        } else if try await DemoAgency.loadIfEmpty(store, secrets: try Self.developmentSecrets(), volume: .sample, password: demoPassword) == .loaded
        {
            print("演示账号密码 / the demo accounts' password is in \(DevInfo.file.path) (demo_password)")
        }
        await pool.close()
        let settings = ServerSettings(
            databaseURL: state.applicationURL, poolSize: 16,
            gateway: GatewayConfiguration(
                host: "127.0.0.1", port: port, mutualTLSPort: mtlsPort,
                certificateChainPath: tls.serverCertificate, privateKeyPath: tls.serverKey,
                clientAuthorityPaths: [Self.demoAgencyCode: tls.agencyCA], clientAuthorityKeyPaths: [Self.demoAgencyCode: tls.agencyCAKey],
                secrets: try Self.developmentSecrets()),
            metricsPort: metricsPort < 0 ? nil : metricsPort,
            evidenceDirectory: DevelopmentState.stateDirectory.appendingPathComponent("evidence").path,
            portalPort: portalPort < 0 ? nil : portalPort)
        try await ServeCommand.serve(settings) { gateway, portal in
            let ports = try await gateway.boundPorts()
            let info = DevInfo(
                grpcAddress: "127.0.0.1:\(ports.main)", mtlsAddress: ports.mutualTLS.map { "127.0.0.1:\($0)" },
                caFile: tls.caCertificate, agencyCode: Self.demoAgencyCode, username: admin.username, password: admin.password,
                agencyClientCA: tls.agencyCA, agencyClientCAKey: tls.agencyCAKey, demoPassword: demoPassword,
                portalURL: portal.map { "https://127.0.0.1:\($0)/\(Self.demoAgencyCode)/disclosures" })
            try info.write()
            print(
                """
                法治 Fazhi 开发环境已就绪 / ready
                  gRPC (TLS):    \(info.grpcAddress)   CA: \(info.caFile)
                  mutual TLS:    \(info.mtlsAddress ?? "off")
                  公示门户 / portal: \(info.portalURL ?? "off")
                  机构 / agency: \(info.agencyCode)  用户 / user: \(info.username)  (password in \(DevInfo.file.path))
                  按 Ctrl-C 停止 / Ctrl-C stops the server (the database keeps running: fazhi db stop)
                """)
            fflush(nil)  // the ready message must reach a redirected stdout now
        }
    }

    /// The server secret of the development environment, made once in `.fazhi/secrets.key`
    /// (0600). Losing it makes the sealed personal data unreadable.
    static func developmentSecrets() throws -> ServerSecrets {
        let file = DevelopmentState.stateDirectory.appendingPathComponent("secrets.key").path
        if let text = try? String(contentsOfFile: file, encoding: .utf8) { return try ServerSecrets(secretBase64: text) }
        let secret = ServerSecrets.generate()
        guard FileManager.default.createFile(atPath: file, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure("cannot write \(file)")
        }
        return try ServerSecrets(secretBase64: secret)
    }

    static func migrate(_ state: DevelopmentState) async throws {
        let migrator = try MigrateCommand.migrator(sqlDirectory: try MigrationSource.locate(explicit: nil))
        let connection = try await PostgresConnection.connect(PostgresConfiguration(connectionString: state.ownerURL, applicationName: "fazhi-dev"))
        defer { connection.close() }
        let applied = try await migrator.migrate(on: connection)
        if !applied.isEmpty { print("已应用 \(applied.count) 个迁移 / applied \(applied.count) migrations") }
    }
}
