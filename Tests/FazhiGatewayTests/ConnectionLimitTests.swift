import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import GRPCCore
import Testing

@testable import FazhiGateway

/// Connections that never finish cannot pile up: one that does not complete its TLS
/// handshake in time is closed, and connections beyond a port's limits are refused.
@Suite(.timeLimit(.minutes(3))) struct ConnectionLimitTests {
    /// A raw TCP connection to the port that sends nothing; `closedAt` tells when the
    /// server closed it, timed on a thread of its own.
    final class RawConnection: Sendable {
        let socket: Int32

        init(port: Int) throws {
            socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            guard connected else { throw POSIXError(.ECONNREFUSED) }
        }

        /// When the server closed it, read on a thread of its own the moment it happens (a
        /// busy machine may resume the test's task much later); nil if not within `seconds`.
        func closedAt(within seconds: Int) async -> ContinuousClock.Instant? {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
                    setsockopt(self.socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                    var byte: UInt8 = 0
                    let read = recv(self.socket, &byte, 1, 0)
                    let closed = read == 0 || (read < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                    continuation.resume(returning: closed ? ContinuousClock.now : nil)
                }
            }
        }

        deinit { close(socket) }
    }

    @Test func silentConnectionsAreClosedAndLimitsHold() async throws {
        try await GatewayHarness.with { harness in
            var configuration = harness.gateway.configuration
            configuration.port = 0
            configuration.mutualTLSPort = nil
            configuration.connections = ConnectionLimits(
                maximum: 100, maximumPerAddress: 2, handshakeTimeout: .seconds(Self.handshakeSeconds), idleTimeout: .seconds(60))
            let gateway = try Gateway(configuration: configuration, store: harness.store, clock: { harness.clock.now })
            let server = Task { try await gateway.run() }
            let (port, _) = try await gateway.boundPorts()

            try await Self.expectSilentConnectionsClosedAndAThirdRefused(port: port)

            // Once they are gone, a real client is served.
            let status = try await harness.withClient(port: port) { client in
                try await Grpc_Health_V1_Health.Client(wrapping: client).check(.init()).status
            }
            #expect(status == .serving)
            gateway.beginGracefulShutdown()
            try await server.value
        }
    }

    /// The portal holds to the same limits: its own TLS channels get the same guard.
    @Test func thePortalClosesSilentConnectionsAndHoldsItsLimits() async throws {
        try await GatewayHarness.with { harness in
            let limits = ConnectionLimits(
                maximum: 100, maximumPerAddress: 2, handshakeTimeout: .seconds(Self.handshakeSeconds), idleTimeout: .seconds(60))
            try await harness.withPortal(limits: limits) { port in
                try await Self.expectSilentConnectionsClosedAndAThirdRefused(port: port)
                let status = try await PublicRedactionTests.status("https://127.0.0.1:\(port)/\(GatewayHarness.agencyCode)/disclosures")
                #expect(status == 200, "once they are gone, a browser is served")
            }
        }
    }

    static let handshakeSeconds = 8

    /// Of three silent connections from one address, one is refused at once (limit 2 per
    /// address) and the other two are held while they may still shake hands, then closed by
    /// the timeout. Which one is refused is not fixed: a port with several event loops
    /// activates connections in parallel. Each close is timed on its own thread as it
    /// happens, so the order holds however late a busy machine resumes the test.
    static func expectSilentConnectionsClosedAndAThirdRefused(port: Int) async throws {
        let opened = ContinuousClock.now
        let connections = try (0..<3).map { _ in try RawConnection(port: port) }
        async let a = connections[0].closedAt(within: 60)
        async let b = connections[1].closedAt(within: 60)
        async let c = connections[2].closedAt(within: 60)
        let closes = await [a, b, c]
        let times = try closes.map { try #require($0, "every silent connection is closed in the end") }.sorted()
        let refusedAt = times[0]
        #expect(refusedAt - opened < .seconds(handshakeSeconds) - .milliseconds(500), "one connection over the per-address limit is refused at once")
        for closed in times.dropFirst() {
            #expect(closed > refusedAt, "the other two stay while they may still shake hands")
            #expect(closed - opened >= .seconds(handshakeSeconds) - .milliseconds(500), "closed by the handshake timeout, not at once")
        }
    }
}
