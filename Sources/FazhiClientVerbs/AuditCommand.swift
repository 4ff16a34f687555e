import ArgumentParser
import FazhiRPC
import Foundation
import GRPCCore
import SwiftProtobuf

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "审计日志 / the audit log.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Option(name: .long) var user: String?
        @Option(name: .long, help: "Full method name, e.g. fazhi.v1.AuthService/Login.") var method: String?
        @Option(name: .long, help: "Status, e.g. OK, PERMISSION_DENIED.") var status: String?
        @Option(name: .long, help: "How many rows, newest first.") var limit = 50
        @Flag(name: .long, help: "The platform log (platform_admin).") var platform = false

        func run() async throws {
            let session = try SavedSession.read()
            let entries = try await client.withClient { grpc in
                try await Fazhi_V1_AuditService.Client(wrapping: grpc).listAuditEntries(
                    .with {
                        $0.page.pageSize = Int32(limit)
                        $0.username = user ?? ""
                        $0.method = method ?? ""
                        $0.status = status ?? ""
                        $0.platform = platform
                    }, metadata: session.metadata)
            }.entries
            try printTable(
                ["sequence", "time", "user", "method", "status", "reason", "peer", "duration_us"],
                entries.map {
                    [
                        String($0.sequence), Shown.time($0.time.date, json: client.json), $0.username, $0.method, $0.status, $0.reason, $0.peer,
                        String($0.durationMicros),
                    ]
                },
                json: client.json)
        }
    }
}
