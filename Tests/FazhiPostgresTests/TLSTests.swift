import FazhiPostgres
import FazhiTestSupport
import Foundation
import Testing

/// `sslmode=verify-full` against a server whose certificate a test CA signed.
@Suite(.timeLimit(.minutes(2))) struct TLSTests {
    static let cluster: Task<(EmbeddedCluster, URL), any Error> = Task {
        let port = try TestCluster.freeLoopbackPort()
        let cluster = try TestCluster.startThrowawayCluster(name: "tls") { directory in
            let certificates = directory.appendingPathComponent("tls")
            try makeCertificates(in: certificates)
            return EmbeddedCluster.TCP(
                port: port,
                certificatePath: certificates.appendingPathComponent("server.crt").path,
                keyPath: certificates.appendingPathComponent("server.key").path)
        }
        return (cluster, cluster.directory.appendingPathComponent("tls"))
    }

    static func makeCertificates(in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let d = directory.path
        let script = """
            set -e
            cd '\(d)'
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -days 2 -subj '/CN=Fazhi Test CA' 2>/dev/null
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout other-ca.key -out other-ca.crt -days 2 -subj '/CN=Someone Else' 2>/dev/null
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj '/CN=localhost' 2>/dev/null
            printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext 2>/dev/null
            chmod 600 server.key
            if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres '\(d)'; fi
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PostgresError(code: .connectionFailed, message: "openssl failed to make test certificates")
        }
    }

    func configuration(host: String, ca: String, mode: String = "verify-full") async throws -> PostgresConfiguration {
        let (cluster, certificates) = try await Self.cluster.value
        return PostgresConfiguration(
            connectionString: "postgresql://\(EmbeddedCluster.ownerRole)@\(host):\(cluster.listeningPort)/postgres",
            connectTimeoutSeconds: 5,
            sslMode: mode,
            sslRootCertificatePath: certificates.appendingPathComponent(ca).path)
    }

    @Test func verifyFullWithTheRightCAConnectsOverTLS() async throws {
        let c = try await PostgresConnection.connect(try await configuration(host: "localhost", ca: "ca.crt"))
        let encrypted: Bool = try await c.scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        #expect(encrypted)
        c.close()
    }

    @Test func verifyFullRefusesAnUnknownCA() async throws {
        let error = await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(try await configuration(host: "localhost", ca: "other-ca.crt"))
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains("certificate") == true, "\(String(describing: error))")
    }

    @Test func verifyFullRefusesAHostTheCertificateDoesNotName() async throws {
        // 127.0.0.2 reaches the same server, but the certificate names only localhost and 127.0.0.1.
        let error = await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(try await configuration(host: "127.0.0.2", ca: "ca.crt"))
        }
        #expect(error?.code == .connectionFailed)
    }

    @Test func sslModeInTheURLIsHonoured() async throws {
        let (cluster, certificates) = try await Self.cluster.value
        let ca = certificates.appendingPathComponent("ca.crt").path
        let url = "postgresql://\(EmbeddedCluster.ownerRole)@localhost:\(cluster.listeningPort)/postgres?sslmode=verify-full&sslrootcert=\(ca)"
        let c = try await PostgresConnection.connect(PostgresConfiguration(connectionString: url))
        #expect(try await c.scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", as: Bool.self))
        c.close()
        let conninfo = "host=localhost port=\(cluster.listeningPort) user=\(EmbeddedCluster.ownerRole) dbname=postgres sslmode=disable"
        let plain = try await PostgresConnection.connect(PostgresConfiguration(connectionString: conninfo))
        #expect(try await !plain.scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", as: Bool.self))
        plain.close()
    }

    /// Results of every size cross TLS records and libpq's buffer boundaries; none may
    /// leave bytes inside the TLS layer that the socket no longer signals.
    @Test func resultsOfEverySizeArriveOverTLS() async throws {
        let c = try await PostgresConnection.connect(try await configuration(host: "localhost", ca: "ca.crt"))
        var sizes = Array(stride(from: 1, to: 70_000, by: 997))
        sizes += [8_192, 16_383, 16_384, 16_385, 32_768, 65_536, 100_000, 300_000]
        for size in sizes {
            let text: String = try await c.scalar("SELECT repeat('x', $1::int)", [size])
            #expect(text.utf8.count == size)
        }
        let rows = try await c.query("SELECT g, repeat('行', 1000) FROM generate_series(1, 2000) g")
        #expect(rows.count == 2000)
        c.close()
    }
}
