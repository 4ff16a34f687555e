import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `fazhi serve` binary, stopped with SIGTERM while a call is held back.
@Suite(.timeLimit(.minutes(3))) struct ShutdownTests {
    @Test func sigtermLetsTheCallInFlightFinish() async throws {
        try await GatewayHarness.with { harness in
            let directory = harness.files.directory.path
            var environment = ProcessInfo.processInfo.environment
            environment["FAZHI_DATABASE_URL"] = try harness.database.applicationURL
            environment["FAZHI_TLS_CERTIFICATE"] = "\(directory)/server.pem"
            environment["FAZHI_TLS_KEY"] = "\(directory)/server-key.pem"
            // Port 0 everywhere: the server binds free ports and logs them, so no other
            // process can take a port between our choosing it and the server binding it.
            environment["FAZHI_GRPC_PORT"] = "0"
            environment["FAZHI_PORTAL_PORT"] = "-1"
            environment["FAZHI_SCRYPT_LOG_N"] = "10"
            environment["FAZHI_SECRETS_KEY"] = ServerSecrets.generate()
            environment["FAZHI_METRICS_PORT"] = "0"
            let server = Process()
            server.executableURL = fazhiExecutable()
            server.arguments = ["serve"]
            server.environment = environment
            let logPath = "\(directory)/serve.log"
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            server.standardError = output
            server.standardOutput = output
            func serverLog() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
            try server.run()
            defer { if server.isRunning { server.terminate() } }
            guard let (port, metricsPort) = try await Self.boundPorts(serverLog) else {
                Issue.record("the server never said where it listens; its log:\n\(serverLog())")
                return
            }

            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: port),
                transportSecurity: .tls { $0.trustRoots = .certificates([.file(path: harness.files.serverCA, format: .pem)]) })
            try await withGRPCClient(transport: transport) { client in
                guard let token = try await waitForLogin(client) else {
                    Issue.record("the server never accepted a sign-in; its log:\n\(serverLog())")
                    return
                }
                let admin = Fazhi_V1_AdminService.Client(wrapping: client)
                let password = "Held-Back-Passw0rd"
                _ = try await admin.createUser(
                    .with {
                        $0.username = "wang.wu"
                        $0.displayName = "王五"
                        $0.initialPassword = password
                        $0.roles = ["officer"]
                    }, metadata: bearer(token))

                // The metrics port (plain HTTP, localhost) counts calls by method and status.
                let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(metricsPort)/metrics")!)
                let metrics = String(decoding: body, as: UTF8.self)
                #expect((response as? HTTPURLResponse)?.statusCode == 200)
                #expect(metrics.contains(#"fazhi_rpc_calls_total{method="fazhi.v1.AdminService/CreateUser",status="OK"} 1"#), "\(metrics)")
                #expect(metrics.contains("fazhi_rpc_duration_seconds"))
                #expect(metrics.contains("fazhi_db_pool_max_connections"))

                // Hold the user's row: disabling it must wait for the lock.
                let holder = try await harness.database.ownerConnection()
                try await holder.simpleQuery("BEGIN")
                try await holder.query("SELECT set_config('fazhi.agency_id', $1, true)", [try await harness.agencyID().uuidString.lowercased()])
                try await holder.query("SELECT 1 FROM users WHERE username = 'wang.wu' FOR UPDATE")
                let held = Task {
                    try await admin.disableUser(.with { $0.username = "wang.wu" }, metadata: bearer(token))
                }
                // Watched from another connection: a transaction keeps one snapshot of pg_stat_activity.
                let watcher = try await harness.database.ownerConnection()
                // pg_locks, not pg_stat_activity: the owner may not see the server role's wait events.
                try await waitUntil { try await watcher.scalar("SELECT count(*) FROM pg_locks WHERE NOT granted", as: Int.self) >= 1 }
                watcher.close()

                kill(server.processIdentifier, SIGTERM)
                try await Task.sleep(for: .milliseconds(300))
                #expect(server.isRunning, "the server waits for the call in flight")
                try await holder.simpleQuery("COMMIT")
                holder.close()
                let disabled = try await held.value
                #expect(disabled.disabled)
            }
            try await waitUntil { !server.isRunning }
            #expect(server.terminationStatus == 0)
            #expect(serverLog().contains("graceful shutdown"), "\(serverLog())")
        }
    }

    /// The gRPC and metrics ports the server logged once listening.
    static func boundPorts(_ log: () -> String) async throws -> (grpc: Int, metrics: Int)? {
        for _ in 0..<300 {
            let text = log()
            if let grpc = text.firstMatch(of: /grpc=127\.0\.0\.1:([0-9]+)/)?.1,
                let metrics = text.firstMatch(of: /fazhi\.metrics: .*listening on 127\.0\.0\.1:([0-9]+)/)?.1,
                let grpcPort = Int(grpc), let metricsPort = Int(metrics)
            {
                return (grpcPort, metricsPort)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    private func waitForLogin(_ client: GRPCClient<HTTP2ClientTransport.Posix>) async throws -> String? {
        let auth = Fazhi_V1_AuthService.Client(wrapping: client)
        for _ in 0..<200 {
            if let response = try? await auth.login(
                .with {
                    $0.agencyCode = GatewayHarness.agencyCode
                    $0.username = GatewayHarness.adminUsername
                    $0.password = GatewayHarness.adminPassword
                })
            {
                return response.token
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}

/// The `fazhi` binary that `swift test` built beside the test bundle.
func fazhiExecutable() -> URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("fazhi")
}

func waitUntil(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<300 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw CancellationError()
}
