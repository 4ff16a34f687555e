import ArgumentParser
import FazhiRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// Case steps over TLS, as officers record them: officer A takes a step naming A and B
/// (both officers' authority checked, a record entry, an audit row, an idempotency key),
/// then B confirms it (the same, for B). Each client has its own connection and opens a
/// case of its own every `stepsPerCase` steps (opening is a step too), so cases keep the
/// length real ones have.
struct CaseSteps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "case-steps", abstract: "TakeStep + ConfirmStep over TLS, one case per client.")
    @Option(help: "The gateway, host:port (an IPv4 address).") var address: String
    @Option(help: "The CA that signed the server's certificate (PEM).") var ca: String
    @Option(help: "Officer A's bearer token.") var tokenA: String
    @Option(help: "Officer B's bearer token.") var tokenB: String
    @Option(help: "Officer A's id.") var officerA: String
    @Option(help: "Officer B's id.") var officerB: String
    @Option(help: "The party the cases concern.") var party: String
    @Option(help: "The power-list item of the cases (two officers per act).") var item = "MZ-CF-001"
    @Option(help: "Concurrent clients.") var clients = 32
    @Option(help: "Steps per case before a client opens the next.") var stepsPerCase = 10
    @Option(help: "Seconds to run.") var seconds = 30

    func run() async throws {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--address is host:port") }
        let host = String(parts[0])
        let (ca, tokenA, tokenB, officers, seconds, party, item, stepsPerCase) = (
            ca, tokenA, tokenB, [officerA, officerB], seconds, party, item, stepsPerCase
        )
        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        let steps = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    let transport = try HTTP2ClientTransport.Posix(
                        target: .ipv4(address: host, port: port),
                        transportSecurity: .tls { $0.trustRoots = .certificates([.file(path: ca, format: .pem)]) })
                    return try await withGRPCClient(transport: transport) { client in
                        let service = Fazhi_V1_CaseService.Client(wrapping: client)
                        var count = 0
                        var caseID = ""
                        while ContinuousClock.now < deadline {
                            if count % stepsPerCase == 0 {
                                caseID = try await service.openCase(
                                    .with {
                                        $0.itemCode = item
                                        $0.partyID = party
                                        $0.officerIds = officers
                                        $0.text = "立案"
                                    },
                                    metadata: Self.metadata(tokenA)
                                ).caseID
                            } else {
                                _ = try await service.takeStep(
                                    .with {
                                        $0.caseID = caseID
                                        $0.step = "investigate"
                                        $0.officerIds = officers
                                        $0.text = "调查取证"
                                    },
                                    metadata: Self.metadata(tokenA))
                            }
                            _ = try await service.confirmStep(.with { $0.caseID = caseID }, metadata: Self.metadata(tokenB))
                            count += 1
                        }
                        return count
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        print(
            String(
                format: "case steps over TLS: %d steps (take + confirm) in %.1f s: %.0f steps per second, %.0f calls per second (%d clients)",
                steps, elapsed, Double(steps) / elapsed, Double(steps * 2) / elapsed, clients))
    }

    static func metadata(_ token: String) -> Metadata {
        var metadata: Metadata = ["authorization": "Bearer \(token)"]
        metadata.addString(UUID().uuidString.lowercased(), forKey: "idempotency-key")
        return metadata
    }
}
