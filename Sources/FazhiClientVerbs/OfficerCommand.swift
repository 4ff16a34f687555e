import ArgumentParser
import FazhiRPC
import Foundation
import GRPCCore

/// `fazhi officer ...`: the enforcement corps (credential administrators; officers read their own).
struct OfficerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "officer", abstract: "执法人员 / officers, their exams and training hours.",
        subcommands: [Create.self, Show.self, List.self, Exam.self, Training.self])

    static let headers = ["officer_id", "name", "unit", "position", "username", "id_number", "contact", "exams", "training_hours"]

    static func rows(_ officers: [Fazhi_V1_Officer]) -> [[String]] {
        officers.map { officer in
            [
                officer.officerID, officer.name, officer.unit, officer.position, officer.username, officer.idNumber, officer.contact,
                officer.examResults.map { "\($0.day):\($0.score)\($0.passed ? "✓" : "✗")" }.joined(separator: " "),
                officer.trainingHours.map { "\($0.year):\($0.hours)" }.joined(separator: " "),
            ]
        }
    }

    static func client(_ grpc: GRPCClient<some ClientTransport>) -> Fazhi_V1_CredentialService.Client<some ClientTransport> {
        Fazhi_V1_CredentialService.Client(wrapping: grpc)
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            discussion: "The resident ID number is read from standard input, so it stays out of shell history.")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "姓名 / name.") var name: String
        @Option(name: .long, help: "所在单位 / unit.") var unit: String
        @Option(name: .long, help: "职务 / position.") var position: String
        @Option(name: .long, help: "联系电话 / contact phone.") var contact = ""
        @Option(name: .long, help: "The officer's sign-in account.") var username = ""

        func run() async throws {
            let session = try SavedSession.read()
            guard let idNumber = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces), !idNumber.isEmpty else {
                throw CommandFailure("请在标准输入中提供身份证号码 / give the resident ID number on standard input")
            }
            let officer = try await client.withClient { grpc in
                try await OfficerCommand.client(grpc).createOfficer(
                    .with {
                        $0.name = name
                        $0.unit = unit
                        $0.position = position
                        $0.idNumber = idNumber
                        $0.contact = contact
                        $0.username = username
                    }, metadata: session.mutating())
            }
            try printTable(OfficerCommand.headers, OfficerCommand.rows([officer]), json: client.json)
        }
    }

    struct Show: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Argument(help: "The officer's id; omitted: your own record.") var officerID: String?

        func run() async throws {
            let session = try SavedSession.read()
            let officer = try await client.withClient { grpc in
                try await OfficerCommand.client(grpc).getOfficer(.with { $0.officerID = officerID ?? "" }, metadata: session.metadata)
            }
            try printTable(OfficerCommand.headers, OfficerCommand.rows([officer]), json: client.json)
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let session = try SavedSession.read()
            let officers = try await client.withClient { grpc in
                var all: [Fazhi_V1_Officer] = []
                var token = ""
                repeat {
                    let page = try await OfficerCommand.client(grpc).listOfficers(
                        .with {
                            $0.page.pageToken = token
                            $0.page.pageSize = 200
                        }, metadata: session.metadata)
                    all += page.officers
                    token = page.nextPageToken
                } while !token.isEmpty
                return all
            }
            try printTable(OfficerCommand.headers, OfficerCommand.rows(officers), json: client.json)
        }
    }

    struct Exam: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "资格考试 / record a qualification exam result.")
        @OptionGroup var client: ClientOptions
        @Argument var officerID: String
        @Option(name: .long, help: "The exam day, YYYY-MM-DD.") var day: String
        @Option(name: .long, help: "The score out of 100.") var score: Int32

        func run() async throws {
            let session = try SavedSession.read()
            let officer = try await client.withClient { grpc in
                try await OfficerCommand.client(grpc).recordExamResult(
                    .with {
                        $0.officerID = officerID
                        $0.day = day
                        $0.score = score
                    }, metadata: session.mutating())
            }
            try printTable(OfficerCommand.headers, OfficerCommand.rows([officer]), json: client.json)
        }
    }

    struct Training: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "培训学时 / set a year's training hours.")
        @OptionGroup var client: ClientOptions
        @Argument var officerID: String
        @Option(name: .long) var year: Int32
        @Option(name: .long, help: "The year's total.") var hours: Int32

        func run() async throws {
            let session = try SavedSession.read()
            let officer = try await client.withClient { grpc in
                try await OfficerCommand.client(grpc).setTrainingHours(
                    .with {
                        $0.officerID = officerID
                        $0.year = year
                        $0.hours = hours
                    }, metadata: session.mutating())
            }
            try printTable(OfficerCommand.headers, OfficerCommand.rows([officer]), json: client.json)
        }
    }
}
