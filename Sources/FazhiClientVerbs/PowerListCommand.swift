import ArgumentParser
import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore

/// `fazhi power-list ...`: 权责清单.
struct PowerListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "power-list", abstract: "权责清单 / the power list: read (anyone), edit and publish (admin).",
        subcommands: [Show.self, Versions.self, Draft.self, Load.self, Publish.self])

    static let headers = ["code", "category", "name", "enforcement_category", "unit", "major", "min_officers", "disclosure"]

    static func rows(_ items: [Fazhi_V1_PowerItem], json: Bool) -> [[String]] {
        items.map {
            [
                $0.code, Shown.code($0.category, as: PowerItem.Category.self, json: json), $0.name, $0.enforcementCategory, $0.unit,
                Shown.code($0.major, as: PowerItem.Major.self, json: json), String($0.minimumOfficers),
                $0.published
                    ? (json
                        ? "\($0.disclosureWorkingDays) working days"
                        : "\($0.disclosureWorkingDays) 个工作日内公示 within \($0.disclosureWorkingDays) working days")
                    : (json ? "statistics only" : "仅纳入统计 statistics only"),
            ]
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A published version (no sign-in).")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "The agency code; default: your session's or dev.json's.") var agency: String?
        @Option(name: .long, help: "The version; default: the one in force.") var version: Int32 = 0

        func run() async throws {
            let code = try agency ?? client.defaultAgencyCode()
            let list = try await client.withClient { grpc in
                try await Fazhi_V1_PowerListService.Client(wrapping: grpc).getPowerList(
                    .with {
                        $0.agencyCode = code
                        $0.version = version
                    })
            }
            if !client.json { print("\(list.agencyName) (\(list.agencyCode)) 权责清单第 \(list.version) 版 / version \(list.version): \(list.reason)") }
            try printTable(PowerListCommand.headers, PowerListCommand.rows(list.items, json: client.json), json: client.json)
        }
    }

    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every published version (no sign-in).")
        @OptionGroup var client: ClientOptions
        @Option(name: .long) var agency: String?

        func run() async throws {
            let code = try agency ?? client.defaultAgencyCode()
            let response = try await client.withClient { grpc in
                try await Fazhi_V1_PowerListService.Client(wrapping: grpc).listPowerListVersions(.with { $0.agencyCode = code })
            }
            try printTable(
                ["version", "published_at", "published_by", "reason"],
                response.versions.map {
                    [String($0.version), Shown.time($0.publishedAt.date, json: client.json), $0.publishedBy, $0.reason]
                }, json: client.json)
        }
    }

    struct Draft: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The draft; --csv prints it in the form `load` reads.")
        @OptionGroup var client: ClientOptions
        @Flag(name: .long) var csv = false

        func run() async throws {
            let session = try SavedSession.read()
            let draft = try await client.withClient { grpc in
                try await Fazhi_V1_PowerListService.Client(wrapping: grpc).getPowerListDraft(.init(), metadata: session.metadata)
            }
            if csv {
                print(PowerListCSV.render(try draft.items.map(PowerItem.init)), terminator: "")
            } else {
                try printTable(PowerListCommand.headers, PowerListCommand.rows(draft.items, json: client.json), json: client.json)
            }
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the draft with a CSV file.",
            discussion: "Header: \(PowerListCSV.header.joined(separator: ",")). Nothing is published until `publish`.")
        @OptionGroup var client: ClientOptions
        @Argument var file: String

        func run() async throws {
            let session = try SavedSession.read()
            let items: [PowerItem]
            do {
                items = try PowerListCSV.parse(try String(contentsOfFile: file, encoding: .utf8))
            } catch let error as DomainError {
                throw CommandFailure("\(file): \(error.messageZH) / \(error.messageEN)")
            }
            let draft = try await client.withClient { grpc in
                try await Fazhi_V1_PowerListService.Client(wrapping: grpc).replacePowerListDraft(
                    .with {
                        $0.items = items.map(Fazhi_V1_PowerItem.init)
                    }, metadata: session.mutating())
            }
            try printTable(PowerListCommand.headers, PowerListCommand.rows(draft.items, json: client.json), json: client.json)
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish the draft as the next version.")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "Why the list changes; published with it.") var reason: String

        func run() async throws {
            let session = try SavedSession.read()
            let list = try await client.withClient { grpc in
                try await Fazhi_V1_PowerListService.Client(wrapping: grpc).publishPowerList(
                    .with { $0.reason = reason }, metadata: session.mutating())
            }
            try printTable(
                ["version", "items", "published_at"],
                [[String(list.version), String(list.items.count), Shown.time(list.publishedAt.date, json: client.json)]],
                json: client.json)
        }
    }
}
