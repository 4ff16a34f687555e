import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Testing

@testable import FazhiFiles
@testable import FazhiGateway

/// Streams cannot starve the server: a bounded number of exports at once, and a stream
/// whose client stops reading is ended.
@Suite(.timeLimit(.minutes(3))) struct StreamLimitTests {
    @Test func exportsBeyondTheLimitAreRefusedAtOnce() async throws {
        let slots = StreamSlots(StreamLimits(maximum: 2, idleTimeout: .seconds(1)))
        let (gate, opener) = AsyncStream<Void>.makeStream()
        let holders = (0..<2).map { _ in Task { try await slots.run { for await _ in gate { break } } } }
        while slots.inUse < 2 { try await Task.sleep(for: .milliseconds(10)) }
        let error = await #expect(throws: DomainError.self) { try await slots.run {} }
        #expect(error?.reason == .resourceExhausted)
        opener.yield()
        opener.yield()
        opener.finish()
        for holder in holders { try await holder.value }
        #expect(slots.inUse == 0)
        try await slots.run {}  // free again
    }

    /// A download whose client reads one chunk and then nothing is ended on the server
    /// after the idle timeout (its audit row says DEADLINE_EXCEEDED) while the client
    /// still holds the stream open. The file is far larger than what the client's window
    /// and buffers take, so the server must wait on the client whatever the machine's speed.
    @Test func aStreamWhoseClientStopsReadingIsEnded() async throws {
        try await GatewayHarness.with { harness in
            var configuration = harness.gateway.configuration
            configuration.port = 0
            configuration.mutualTLSPort = nil
            configuration.evidenceMaximumBytes = 16 * 1024 * 1024
            configuration.streams = StreamLimits(maximum: 1, idleTimeout: .seconds(1))
            let evidence = try FileEvidenceStore(root: harness.files.directory.appendingPathComponent("evidence"))
            let gateway = try Gateway(configuration: configuration, store: harness.store, evidence: evidence, clock: { harness.clock.now })
            let server = Task { try await gateway.run() }
            let (port, _) = try await gateway.boundPorts()
            let size = configuration.evidenceMaximumBytes
            let (token, caseID, sha256) = try await harness.withClient(port: port) { client in
                let bench = try await CaseServiceTests.bench(harness, client)
                let kase = try await Fazhi_V1_CaseService.Client(wrapping: client).openCase(
                    .with {
                        $0.itemCode = "MZ-XK-001"
                        $0.partyID = bench.partyID
                        $0.officerIds = [bench.corps.liOfficerID]
                    }, metadata: bearer(bench.corps.liToken))
                // Zeros from calloc: read but never written here, so they cost the process
                // (whose memory other tests measure) almost no resident memory.
                let data = Data(count: size)
                _ = try await EvidenceTests.upload(
                    client, caseID: kase.caseID, data: data, sha256: EvidenceTests.hex(data), metadata: bearer(bench.corps.liToken))
                return (bench.corps.liToken, kase.caseID, EvidenceTests.hex(data))
            }
            // A small receive window, so that a client which stops reading stops the server's writes.
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: port),
                transportSecurity: .tls { $0.trustRoots = .certificates([.file(path: harness.files.serverCA, format: .pem)]) },
                config: .defaults { $0.http2.targetWindowSize = 65_535 })
            try await withGRPCClient(transport: transport) { client in
                let downloads = Fazhi_V1_CaseRecordService.Client(wrapping: client)
                try? await downloads.downloadEvidence(
                    .with {
                        $0.caseID = caseID
                        $0.sha256 = sha256
                    }, metadata: bearer(token)
                ) { response in
                    var chunks = response.messages.makeAsyncIterator()
                    _ = try await chunks.next()
                    // Read nothing more until the server has given up on this stream.
                    for _ in 0..<300 {
                        if try await harness.auditRows().contains(where: {
                            $0.method == "fazhi.v1.CaseRecordService/DownloadEvidence" && $0.status == "DEADLINE_EXCEEDED"
                        }) {
                            return
                        }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                let rows = try await harness.auditRows().filter { $0.method == "fazhi.v1.CaseRecordService/DownloadEvidence" }
                #expect(rows.map(\.status) == ["DEADLINE_EXCEEDED"], "the server ended the stalled stream: \(rows)")
            }
            gateway.beginGracefulShutdown()
            try await server.value
        }
    }
}
