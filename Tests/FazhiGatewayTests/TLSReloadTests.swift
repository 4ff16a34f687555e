import FazhiRules
import FazhiUseCases
import Foundation
import Hummingbird
import Logging
import Testing

@testable import FazhiGateway

/// A renewed certificate is served without a restart, on the gRPC ports and the portal; a
/// broken one is not, and the previous one stays.
@Suite(.timeLimit(.minutes(2))) struct TLSReloadTests {
    /// The DNS names of the certificate a port serves, read by openssl on a thread of its own.
    static func servedNames(port: Int) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/bin/sh")
                        process.arguments = [
                            "-c", "openssl s_client -connect 127.0.0.1:\(port) </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName",
                        ]
                        let output = Pipe()
                        process.standardOutput = output
                        try process.run()
                        let data = output.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        return String(decoding: data, as: UTF8.self)
                    })
            }
        }
    }

    /// Writes a certificate for `name` over the files, moving their time forward so the
    /// change is seen however coarse the file system's clock.
    static func issue(_ name: String, by authority: CertificateAuthority, to files: (certificate: String, key: String), stamp: Date) throws {
        let (certificate, key) = try authority.issueServerCertificate(dnsNames: [name], ipAddresses: ["127.0.0.1"], now: Date())
        try CertificateAuthority.writePEM(certificate: certificate, key: key, certificatePath: files.certificate, keyPath: files.key)
        for path in [files.certificate, files.key] { try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: path) }
    }

    @Test func aRenewedCertificateIsServedWithoutARestart() async throws {
        try await GatewayHarness.with { harness in
            let directory = harness.files.directory.appendingPathComponent("reload")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let files = (
                certificate: directory.appendingPathComponent("server.pem").path, key: directory.appendingPathComponent("server-key.pem").path
            )
            let authority = try CertificateAuthority.create(commonName: "Reload CA", organization: "Test", now: Date())
            try Self.issue("first.test", by: authority, to: files, stamp: Date(timeIntervalSince1970: 1_000_000))

            var configuration = harness.gateway.configuration
            configuration.port = 0
            configuration.mutualTLSPort = nil
            configuration.certificateChainPath = files.certificate
            configuration.privateKeyPath = files.key
            configuration.tlsReloadInterval = .zero
            let gateway = try Gateway(configuration: configuration, store: harness.store, clock: { harness.clock.now })
            let server = Task { try await gateway.run() }
            let (grpcPort, _) = try await gateway.boundPorts()

            let (bound, binding) = AsyncStream<Int>.makeStream()
            let portalApplication = try Portal(store: harness.store, secrets: GatewayHarness.secrets).application(
                host: "127.0.0.1", port: 0, certificateChainPath: files.certificate, privateKeyPath: files.key, logger: Logger(label: "portal-test"),
                tlsReloadInterval: .zero, onRunning: { binding.yield($0) })
            let serving = Task { try await portalApplication.runService() }
            var ports = bound.makeAsyncIterator()
            let portalPort = try #require(await ports.next())

            for port in [grpcPort, portalPort] { #expect(try await Self.servedNames(port: port).contains("first.test")) }
            try Self.issue("second.test", by: authority, to: files, stamp: Date(timeIntervalSince1970: 2_000_000))
            for port in [grpcPort, portalPort] {
                let names = try await Self.servedNames(port: port)
                #expect(names.contains("second.test") && !names.contains("first.test"), "port \(port) serves the renewed certificate: \(names)")
            }
            // A broken file is not served; the last good certificate stays.
            try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: files.certificate))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 3_000_000)], ofItemAtPath: files.certificate)
            for port in [grpcPort, portalPort] { #expect(try await Self.servedNames(port: port).contains("second.test")) }

            serving.cancel()
            _ = try? await serving.value
            gateway.beginGracefulShutdown()
            try await server.value
        }
    }
}
