import Crypto
import FazhiRPC
import Foundation
import GRPCCore
import Logging
import Testing
import X509

@testable import FazhiGateway

/// Every port offers only ECDHE with AEAD ciphers under TLS 1.2 (and TLS 1.3), proved with
/// OpenSSL's own client; and a client certificate naming more than one identity is refused.
@Suite(.timeLimit(.minutes(3))) struct TLSPolicyTests {
    /// Runs `openssl s_client` against `port` with `arguments`, on a thread of its own
    /// (never blocking Swift's cooperative pool); true when the handshake agreed on a cipher.
    static func handshake(port: Int, _ arguments: [String]) async throws -> (agreed: Bool, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try runOpenSSL(port: port, arguments) }) }
        }
    }

    static func runOpenSSL(port: Int, _ arguments: [String]) throws -> (agreed: Bool, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let agreed = text.range(of: #"Cipher is (?!\(NONE\))"#, options: .regularExpression) != nil
        return (agreed, text)
    }

    static func checkPort(_ port: Int, name: String, client: [String] = []) async throws {
        for weak in ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256", "AES128-SHA", "AES128-GCM-SHA256"] {
            let (agreed, output) = try await handshake(port: port, ["-tls1_2", "-cipher", weak] + client)
            #expect(!agreed, "\(name) accepted \(weak): \(output.suffix(400))")
        }
        for strong in ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"] {
            let (agreed, output) = try await handshake(port: port, ["-tls1_2", "-cipher", strong] + client)
            #expect(agreed, "\(name) refused \(strong): \(output.suffix(400))")
        }
        let (agreed13, output13) = try await handshake(port: port, ["-tls1_3"] + client)
        #expect(agreed13, "\(name) refused TLS 1.3: \(output13.suffix(400))")
    }

    @Test func everyPortOffersOnlyECDHEWithAEADCiphers() async throws {
        try await GatewayHarness.with { harness in
            try await Self.checkPort(harness.port, name: "the gRPC port")
            let (certificate, key) = try harness.files.agencyCA.issueClientCertificate(
                uri: "urn:fazhi:\(GatewayHarness.agencyCode):user:admin", commonName: "openssl", now: Date(), lifetime: 600)
            let certificatePath = harness.files.directory.appendingPathComponent("openssl-client.pem").path
            let keyPath = harness.files.directory.appendingPathComponent("openssl-client-key.pem").path
            try certificate.serializeAsPEM().pemString.write(toFile: certificatePath, atomically: true, encoding: .utf8)
            try key.pemRepresentation.write(toFile: keyPath, atomically: true, encoding: .utf8)
            try await Self.checkPort(harness.mutualTLSPort, name: "the mutual-TLS port", client: ["-cert", certificatePath, "-key", keyPath])

            try await harness.withPortal { port in
                try await Self.checkPort(port, name: "the portal")
            }
        }
    }

    @Test func aCertificateNamingTwoIdentitiesIsRefused() async throws {
        try await GatewayHarness.with { harness in
            let key = P256.Signing.PrivateKey()
            // The second URI names the admin; reading the first would act as someone else.
            let certificate = try harness.files.agencyCA.clientCertificate(
                for: .init(key.publicKey),
                uris: ["urn:fazhi:\(GatewayHarness.agencyCode):user:nobody", "urn:fazhi:\(GatewayHarness.agencyCode):user:admin"],
                commonName: "two names", now: Date(), notAfter: Date().addingTimeInterval(600))
            try await harness.withCertificateClient(certificatePEM: try certificate.serializeAsPEM().pemString, key: key) { client in
                let error = await #expect(throws: RPCError.self) {
                    _ = try await Fazhi_V1_AuthService.Client(wrapping: client).whoAmI(.init())
                }
                #expect(error?.code == .unauthenticated, "\(String(describing: error))")
                #expect(error?.localizedMessages["en"]?.contains("exactly one") == true)
            }
        }
    }
}
