import FazhiGateway
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

@Suite(.timeLimit(.minutes(3))) struct TransportTests {
    @Test func aPlaintextClientIsRefused() async throws {
        try await GatewayHarness.with { harness in
            let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: harness.port), transportSecurity: .plaintext)
            try await withGRPCClient(transport: transport) { client in
                let health = Grpc_Health_V1_Health.Client(wrapping: client)
                let error = await #expect(throws: RPCError.self) {
                    _ = try await health.check(
                        .init(),
                        options: {
                            var o = CallOptions.defaults
                            o.timeout = .seconds(5)
                            return o
                        }())
                }
                #expect(error?.code == .unavailable || error?.code == .deadlineExceeded)
            }
        }
    }

    @Test func theHealthCheckAnswersOverTLS() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let health = Grpc_Health_V1_Health.Client(wrapping: client)
                let server = try await health.check(.init()).status
                let auth = try await health.check(.with { $0.service = "fazhi.v1.AuthService" }).status
                #expect(server == .serving)
                #expect(auth == .serving)
                let unknown = await #expect(throws: RPCError.self) { _ = try await health.check(.with { $0.service = "no.such.Service" }) }
                #expect(unknown?.code == .notFound)
            }
        }
    }

    @Test func aClientCertificateOfTheAgencyActsAsItsUser() async throws {
        try await GatewayHarness.with { harness in
            let uri = "urn:fazhi:\(GatewayHarness.agencyCode):user:\(GatewayHarness.adminUsername)"
            try await harness.withCertificateClient(authority: harness.files.agencyCA, uri: uri) { client in
                let me = try await Fazhi_V1_AuthService.Client(wrapping: client).whoAmI(.init()).caller
                #expect(me.username == "admin")
                #expect(me.authenticatedBy == "client_certificate")
            }
        }
    }

    @Test func aClientCertificateFromAnotherCAIsRefused() async throws {
        try await GatewayHarness.with { harness in
            let uri = "urn:fazhi:\(GatewayHarness.agencyCode):user:\(GatewayHarness.adminUsername)"
            try await harness.withCertificateClient(authority: harness.files.strangerCA, uri: uri) { client in
                let error = await #expect(throws: RPCError.self) {
                    _ = try await Fazhi_V1_AuthService.Client(wrapping: client).whoAmI(
                        .init(),
                        options: {
                            var o = CallOptions.defaults
                            o.timeout = .seconds(5)
                            return o
                        }())
                }
                #expect(error?.code == .unavailable || error?.code == .deadlineExceeded, "the TLS handshake fails: \(String(describing: error))")
            }
        }
    }
}

@Suite(.timeLimit(.minutes(3))) struct CertificateAgencyTests {
    @Test func anAgencyCACannotSpeakForAnotherAgency() async throws {
        try await GatewayHarness.with { harness in
            // The platform agency exists, but the certificate comes from 411202-MZ's CA.
            let password = try await platformAdmin(harness)
            _ = password
            try await harness.withCertificateClient(authority: harness.files.agencyCA, uri: "urn:fazhi:platform:user:operator") { client in
                let error = await #expect(throws: RPCError.self) { _ = try await Fazhi_V1_AuthService.Client(wrapping: client).whoAmI(.init()) }
                #expect(error?.code == .unauthenticated)
                #expect(error?.reason == "AUTHENTICATION_REQUIRED")
            }
        }
    }
}

@Suite(.timeLimit(.minutes(3))) struct HealthWatchTests {
    @Test func shutdownEndsEveryWatchWithNotServing() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let health = Grpc_Health_V1_Health.Client(wrapping: client)
                let (started, signal) = AsyncStream.makeStream(of: Void.self)
                let seen = try await withThrowingTaskGroup(of: [Grpc_Health_V1_HealthCheckResponse.ServingStatus].self) { group in
                    group.addTask {
                        try await health.watch(.init()) { response in
                            var statuses: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
                            for try await message in response.messages {
                                statuses.append(message.status)
                                signal.yield()
                            }
                            return statuses
                        }
                    }
                    // Shut down only once the server answered the watch with its first status.
                    for await _ in started { break }
                    harness.gateway.beginGracefulShutdown()
                    return try await group.next()!
                }
                #expect(seen == [.serving, .notServing], "the stream ended after NOT_SERVING")
            }
        }
    }
}
