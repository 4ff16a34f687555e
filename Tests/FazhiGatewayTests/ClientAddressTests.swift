import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import Testing

@testable import FazhiGateway

/// Behind a trusted load balancer the audit keeps the real client's address; nobody else
/// can choose the address they are recorded under.
@Suite(.timeLimit(.minutes(3))) struct ClientAddressTests {
    @Test func onlyATrustedProxyNamesTheClient() {
        let address = ClientAddress(trustedProxies: ["10.0.0.2", "10.0.0.3"])
        let forwarded: Metadata = ["x-forwarded-for": "198.51.100.9, 203.0.113.7, 10.0.0.3"]
        #expect(address.of(peer: "ipv4:10.0.0.2:40000", metadata: forwarded) == "ipv4:203.0.113.7 via ipv4:10.0.0.2:40000")
        #expect(address.of(peer: "ipv4:192.0.2.1:40000", metadata: forwarded) == "ipv4:192.0.2.1:40000", "an untrusted peer's header is ignored")
        #expect(address.of(peer: "ipv4:10.0.0.2:40000", metadata: [:]) == "ipv4:10.0.0.2:40000")
        #expect(
            address.of(peer: "ipv4:10.0.0.2:40000", metadata: ["x-forwarded-for": "evil.example, <script>"]) == "ipv4:10.0.0.2:40000",
            "only addresses are taken from the header")
        #expect(address.of(peer: "ipv6:[2001:db8::1]:40000", metadata: forwarded) == "ipv6:[2001:db8::1]:40000")
        #expect(
            ClientAddress(trustedProxies: ["2001:db8::1"]).of(peer: "ipv6:[2001:db8::1]:40000", metadata: ["x-forwarded-for": "2001:db8::9"])
                == "ipv6:2001:db8::9 via ipv6:[2001:db8::1]:40000")
    }

    @Test func theAuditKeepsTheForwardedClient() async throws {
        try await GatewayHarness.with { harness in
            var configuration = harness.gateway.configuration
            configuration.port = 0
            configuration.mutualTLSPort = nil
            configuration.trustedProxies = ["127.0.0.1"]
            let gateway = try Gateway(configuration: configuration, store: harness.store, clock: { harness.clock.now })
            let server = Task { try await gateway.run() }
            let (port, _) = try await gateway.boundPorts()
            try await harness.withClient(port: port) { client in
                _ = try await Fazhi_V1_AuthService.Client(wrapping: client).login(
                    .with {
                        $0.agencyCode = GatewayHarness.agencyCode
                        $0.username = GatewayHarness.adminUsername
                        $0.password = GatewayHarness.adminPassword
                    }, metadata: ["x-forwarded-for": "203.0.113.7"])
            }
            gateway.beginGracefulShutdown()
            try await server.value
            let owner = try await harness.database.ownerConnection()
            defer { owner.close() }
            let peers: [String] = try await owner.transaction(TransactionOptions(agencyID: try await harness.agencyID())) { connection in
                try await connection.query("SELECT peer FROM agency_audit_log WHERE method = 'fazhi.v1.AuthService/Login'").map {
                    try $0.decode(at: 0)
                }
            }
            #expect(peers.contains { $0.hasPrefix("ipv4:203.0.113.7 via ipv4:127.0.0.1:") }, "\(peers)")
        }
    }
}
