import ArgumentParser
import FazhiRPC
import FazhiRules
import Foundation
import GRPCCore

/// `fazhi party ...`: 行政相对人.
struct PartyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "party", abstract: "行政相对人 / the parties of enforcement acts.",
        subcommands: [Create.self, Show.self, List.self])

    static let headers = ["party_id", "kind", "name", "credit_code", "institution_type", "capacity", "id_number", "area"]

    static func rows(_ parties: [Fazhi_V1_Party], json: Bool) -> [[String]] {
        parties.map {
            [
                $0.partyID, Shown.code($0.kind, as: Party.Kind.self, json: json), $0.name, $0.creditCode,
                Shown.code($0.institutionType, as: Party.InstitutionType.self, json: json), $0.institutionType.isEmpty ? "" : String($0.capacity),
                $0.idNumber,
                $0.area,
            ]
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            discussion: "A person's resident ID number is read from standard input, so it stays out of shell history.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "organization, institution or person.") var kind: String
        @Option(name: .long, help: "名称或姓名 / name.") var name: String
        @Option(name: .long, help: "统一社会信用代码 (organizations, institutions).") var creditCode = ""
        @Option(name: .long, help: "elderly_care, child_welfare, funeral, relief_station, other (institutions).") var institutionType = ""
        @Option(name: .long, help: "Beds or places (institutions).") var capacity: Int32 = 0
        @Option(name: .long, help: "Division code; default: the agency's.") var area = ""

        func run() async throws {
            let session = try SavedSession.read()
            var idNumber = ""
            if kind == "person" {
                guard let line = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces), !line.isEmpty else {
                    throw CommandFailure("请在标准输入中提供身份证号码 / give the resident ID number on standard input")
                }
                idNumber = line
            }
            let request = Fazhi_V1_CreatePartyRequest.with {
                $0.kind = kind
                $0.name = name
                $0.creditCode = creditCode
                $0.institutionType = institutionType
                $0.capacity = capacity
                $0.idNumber = idNumber
                $0.area = area
            }
            let party = try await client.withClient { grpc in
                try await Fazhi_V1_PartyService.Client(wrapping: grpc).createParty(request, metadata: session.mutating())
            }
            try printTable(PartyCommand.headers, PartyCommand.rows([party], json: client.json), json: client.json)
        }
    }

    struct Show: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Argument var partyID: String

        func run() async throws {
            let session = try SavedSession.read()
            let party = try await client.withClient { grpc in
                try await Fazhi_V1_PartyService.Client(wrapping: grpc).getParty(.with { $0.partyID = partyID }, metadata: session.metadata)
            }
            try printTable(PartyCommand.headers, PartyCommand.rows([party], json: client.json), json: client.json)
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "Part of the name.") var name = ""
        @Option(name: .long, help: "organization, institution or person.") var kind = ""

        func run() async throws {
            let session = try SavedSession.read()
            let parties = try await client.withClient { grpc in
                var all: [Fazhi_V1_Party] = []
                var token = ""
                repeat {
                    let page = try await Fazhi_V1_PartyService.Client(wrapping: grpc).listParties(
                        .with {
                            $0.page.pageToken = token
                            $0.page.pageSize = 200
                            $0.nameContains = name
                            $0.kind = kind
                        }, metadata: session.metadata)
                    all += page.parties
                    token = page.nextPageToken
                } while !token.isEmpty
                return all
            }
            try printTable(PartyCommand.headers, PartyCommand.rows(parties, json: client.json), json: client.json)
        }
    }
}
