import Crypto
import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import GRPCCore
import Testing
import X509

@testable import FazhiGateway

/// An agency's client CA rotated without a restart: the new CA's certificate is added to
/// the agency's CA file, both CAs' client certificates work, then the old one is removed
/// and its certificates stop working. The server signs new client certificates with the
/// CA whose certificate matches the configured key.
@Suite(.timeLimit(.minutes(3))) struct ClientCARotationTests {
    static let uri = "urn:fazhi:\(GatewayHarness.agencyCode):user:\(GatewayHarness.adminUsername)"

    /// WhoAmI over the mutual-TLS port with a certificate from `authority`: the username,
    /// or the error code.
    static func whoAmI(_ harness: GatewayHarness, _ authority: CertificateAuthority, port: Int) async -> String {
        do {
            return try await harness.withCertificateClient(authority: authority, uri: uri, port: port) { client in
                var options = CallOptions.defaults
                options.timeout = .seconds(5)
                return try await Fazhi_V1_AuthService.Client(wrapping: client).whoAmI(.init(), options: options).caller.username
            }
        } catch let error as RPCError {
            return "\(error.code)"
        } catch {
            return "\(error)"
        }
    }

    /// Writes the CA files, moving their time forward so the change is seen however coarse
    /// the file system's clock.
    static func write(
        _ authorities: [CertificateAuthority], signer: CertificateAuthority, to files: (certificates: String, key: String), stamp: Double
    ) throws {
        try authorities.map { try $0.certificate.serializeAsPEM().pemString }.joined(separator: "\n").write(
            toFile: files.certificates, atomically: true, encoding: .utf8)
        try signer.key.pemRepresentation.write(toFile: files.key, atomically: true, encoding: .utf8)
        for path in [files.certificates, files.key] {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: stamp)], ofItemAtPath: path)
        }
    }

    @Test func anAgencyCAIsRotatedWithoutARestart() async throws {
        try await GatewayHarness.with { harness in
            let old = harness.files.agencyCA
            // The same name as the old CA, as a renewal usually has: told apart by signature.
            let new = try CertificateAuthority.create(
                commonName: "\(GatewayHarness.agencyCode) client CA (development)", organization: GatewayHarness.agencyCode,
                now: Date())
            #expect(new.certificate.subject == old.certificate.subject)
            let directory = harness.files.directory.appendingPathComponent("ca-rotation")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let files = (
                certificates: directory.appendingPathComponent("agency-ca.pem").path, key: directory.appendingPathComponent("agency-ca-key.pem").path
            )
            try Self.write([old], signer: old, to: files, stamp: 1_000_000)

            var configuration = harness.gateway.configuration
            configuration.port = 0
            configuration.mutualTLSPort = 0
            configuration.clientAuthorityPaths = [GatewayHarness.agencyCode: files.certificates]
            configuration.clientAuthorityKeyPaths = [GatewayHarness.agencyCode: files.key]
            configuration.tlsReloadInterval = .zero
            let gateway = try Gateway(configuration: configuration, store: harness.store, clock: { harness.clock.now })
            let server = Task { try await gateway.run() }
            let port = try #require(try await gateway.boundPorts().1)

            #expect(await Self.whoAmI(harness, old, port: port) == "admin")
            #expect(await Self.whoAmI(harness, new, port: port) != "admin", "not trusted yet")

            try Self.write([old, new], signer: new, to: files, stamp: 2_000_000)
            let trusted = await Self.whoAmI(harness, new, port: port)
            #expect(trusted == "admin", "the new CA is trusted: \(trusted)")
            #expect(await Self.whoAmI(harness, old, port: port) == "admin", "the old CA still is, while clients move")

            try Self.write([new], signer: new, to: files, stamp: 3_000_000)
            #expect(await Self.whoAmI(harness, old, port: port) != "admin", "the old CA is gone")
            #expect(await Self.whoAmI(harness, new, port: port) == "admin")
            #expect(await Self.whoAmI(harness, harness.files.strangerCA, port: port) != "admin")

            gateway.beginGracefulShutdown()
            try await server.value
        }
    }

    /// The signer is the certificate in the agency's file that matches the configured key,
    /// wherever it stands in the file; a key no certificate matches is refused.
    @Test func theSignerIsTheCertificateThatMatchesTheKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fazhi-ca-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = try CertificateAuthority.create(commonName: "Old CA", organization: "Test", now: Date())
        let new = try CertificateAuthority.create(commonName: "New CA", organization: "Test", now: Date())
        let files = (certificates: directory.appendingPathComponent("ca.pem").path, key: directory.appendingPathComponent("key.pem").path)
        let agency = GatewayHarness.agencyCode
        for signer in [old, new] {
            try Self.write([old, new], signer: signer, to: files, stamp: 1)
            let loaded = try ClientAuthorities.load(certificatePaths: [agency: files.certificates], keyPaths: [agency: files.key])
            #expect(loaded.trusted[agency]?.count == 2)
            #expect(loaded.signers[agency]?.certificate == signer.certificate)
        }
        try Self.write([old], signer: new, to: files, stamp: 2)
        #expect(throws: GatewayConfigurationError.self) {
            try ClientAuthorities.load(certificatePaths: [agency: files.certificates], keyPaths: [agency: files.key])
        }
    }
}
