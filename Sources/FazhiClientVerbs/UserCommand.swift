import ArgumentParser
import FazhiRPC
import FazhiRules
import Foundation
import GRPCCore
import SwiftProtobuf

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "用户管理 / users of your agency.",
        subcommands: [List.self, Show.self, Create.self, Roles.self, Disable.self, Enable.self])

    static func rows(_ users: [Fazhi_V1_User], json: Bool) -> [[String]] {
        users.map {
            [
                $0.username, $0.displayName, Shown.codes($0.roles, as: Role.self, json: json), $0.disabled ? "停用 disabled" : "正常 active",
                Shown.time($0.createdAt.date, json: json),
            ]
        }
    }
    static let headers = ["username", "display_name", "roles", "state", "created_at"]

    struct List: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "Only users with this role.") var role: String?

        func run() async throws {
            let session = try SavedSession.read()
            let users = try await client.withClient { grpc in
                let admin = Fazhi_V1_AdminService.Client(wrapping: grpc)
                var all: [Fazhi_V1_User] = []
                var token = ""
                repeat {
                    let page = try await admin.listUsers(
                        .with {
                            $0.page.pageToken = token
                            $0.page.pageSize = 200
                            $0.role = role ?? ""
                        }, metadata: session.metadata)
                    all += page.users
                    token = page.nextPageToken
                } while !token.isEmpty
                return all
            }
            try printTable(UserCommand.headers, UserCommand.rows(users, json: client.json), json: client.json)
        }
    }

    struct Show: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Argument var username: String

        func run() async throws {
            let session = try SavedSession.read()
            let user = try await client.withClient {
                try await Fazhi_V1_AdminService.Client(wrapping: $0).getUser(.with { $0.username = username }, metadata: session.metadata)
            }
            try printTable(UserCommand.headers, UserCommand.rows([user], json: client.json), json: client.json)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(discussion: "The initial password is read from standard input.")
        @OptionGroup var client: ClientOptions
        @Argument var username: String
        @Option(name: .long, help: "Display name (姓名).") var name: String
        @Option(name: .long, parsing: .upToNextOption, help: "Roles, e.g. officer credential_admin.") var roles: [String] = []

        func run() async throws {
            let session = try SavedSession.read()
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw CommandFailure("请在标准输入中提供初始密码 / give the initial password on standard input")
            }
            let user = try await client.withClient { grpc in
                try await Fazhi_V1_AdminService.Client(wrapping: grpc).createUser(
                    .with {
                        $0.username = username
                        $0.displayName = name
                        $0.initialPassword = password
                        $0.roles = roles
                    }, metadata: session.mutating())
            }
            try printTable(UserCommand.headers, UserCommand.rows([user], json: client.json), json: client.json)
        }
    }

    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace a user's roles.")
        @OptionGroup var client: ClientOptions
        @Argument var username: String
        @Argument(help: "The new set of roles.") var roles: [String] = []

        func run() async throws {
            let session = try SavedSession.read()
            let user = try await client.withClient { grpc in
                try await Fazhi_V1_AdminService.Client(wrapping: grpc).setUserRoles(
                    .with {
                        $0.username = username
                        $0.roles = roles
                    }, metadata: session.mutating())
            }
            try printTable(UserCommand.headers, UserCommand.rows([user], json: client.json), json: client.json)
        }
    }

    struct Disable: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Argument var username: String
        @Option(name: .long, help: "Why.") var reason = ""

        func run() async throws {
            let session = try SavedSession.read()
            let user = try await client.withClient { grpc in
                try await Fazhi_V1_AdminService.Client(wrapping: grpc).disableUser(
                    .with {
                        $0.username = username
                        $0.reason = reason
                    }, metadata: session.mutating())
            }
            try printTable(UserCommand.headers, UserCommand.rows([user], json: client.json), json: client.json)
        }
    }

    struct Enable: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Argument var username: String

        func run() async throws {
            let session = try SavedSession.read()
            let user = try await client.withClient { grpc in
                try await Fazhi_V1_AdminService.Client(wrapping: grpc).enableUser(.with { $0.username = username }, metadata: session.mutating())
            }
            try printTable(UserCommand.headers, UserCommand.rows([user], json: client.json), json: client.json)
        }
    }
}
