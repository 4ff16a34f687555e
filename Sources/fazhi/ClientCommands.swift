import ArgumentParser
import FazhiRPC
import Foundation
import GRPCCore
import SwiftProtobuf

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "登录 / sign in; the token is kept in ~/.config/fazhi/session.json (0600).",
        discussion: "The password comes from FAZHI_PASSWORD, --password-stdin, .fazhi/dev.json for its own user, or a prompt.")
    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "Agency code (platform administrators: platform).") var agency: String?
    @Option(name: .long, help: "Username.") var username: String?
    @Flag(name: .long, help: "Read the password from standard input.") var passwordStdin = false

    func run() async throws {
        let dev = DevInfo.read()
        guard let agency = agency ?? dev?.agencyCode, let username = username ?? dev?.username else {
            throw CommandFailure("需要 --agency 和 --username / --agency and --username are required")
        }
        let password: String
        if let fromEnvironment = ProcessInfo.processInfo.environment["FAZHI_PASSWORD"], !fromEnvironment.isEmpty {
            password = fromEnvironment
        } else if passwordStdin {
            password = readLine(strippingNewline: true) ?? ""
        } else if let dev, dev.agencyCode == agency, dev.username == username {
            password = dev.password
        } else {
            guard let typed = getpass("密码 / password: ") else { throw CommandFailure("no password") }
            password = String(cString: typed)
        }
        let address = try client.resolved()
        let response = try await client.withClient { grpc in
            try await Fazhi_V1_AuthService.Client(wrapping: grpc).login(.with {
                $0.agencyCode = agency
                $0.username = username
                $0.password = password
            })
        }
        try SavedSession(address: "\(address.host):\(address.port)", agencyCode: agency, username: username,
                         token: response.token, expiresAt: response.expiresAt.date).write()
        if client.json {
            try printTable(["agency", "username", "expires_at"], [[agency, username, response.expiresAt.date.formatted(.iso8601)]], json: true)
        } else {
            print("已登录 / signed in: \(response.caller.displayName) (\(username)) @ \(response.caller.agencyName); 有效至 / until \(response.expiresAt.date.formatted(.iso8601))")
        }
    }
}

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "退出 / end the saved session.")
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let session = try SavedSession.read()
        _ = try await client.withClient { try await Fazhi_V1_AuthService.Client(wrapping: $0).logout(.init(), metadata: session.metadata) }
        SavedSession.remove()
        print("已退出 / signed out")
    }
}

struct WhoAmICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "当前用户 / who the saved session is.")
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let session = try SavedSession.read()
        let me = try await client.withClient { try await Fazhi_V1_AuthService.Client(wrapping: $0).whoAmI(.init(), metadata: session.metadata) }.caller
        try printTable(["agency", "agency_name", "username", "display_name", "roles"],
                       [[me.agencyCode, me.agencyName, me.username, me.displayName, me.roles.joined(separator: ",")]], json: client.json)
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "用户管理 / users of your agency.",
        subcommands: [List.self, Show.self, Create.self, Roles.self, Disable.self, Enable.self])

    static func rows(_ users: [Fazhi_V1_User]) -> [[String]] {
        users.map { [$0.username, $0.displayName, $0.roles.joined(separator: ","), $0.disabled ? "停用 disabled" : "正常 active", $0.createdAt.date.formatted(.iso8601)] }
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
                    let page = try await admin.listUsers(.with { $0.page.pageToken = token; $0.page.pageSize = 200; $0.role = role ?? "" }, metadata: session.metadata)
                    all += page.users
                    token = page.nextPageToken
                } while !token.isEmpty
                return all
            }
            try printTable(UserCommand.headers, UserCommand.rows(users), json: client.json)
        }
    }

    struct Show: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Argument var username: String

        func run() async throws {
            let session = try SavedSession.read()
            let user = try await client.withClient { try await Fazhi_V1_AdminService.Client(wrapping: $0).getUser(.with { $0.username = username }, metadata: session.metadata) }
            try printTable(UserCommand.headers, UserCommand.rows([user]), json: client.json)
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
                try await Fazhi_V1_AdminService.Client(wrapping: grpc).createUser(.with {
                    $0.username = username; $0.displayName = name; $0.initialPassword = password; $0.roles = roles
                }, metadata: session.mutating())
            }
            try printTable(UserCommand.headers, UserCommand.rows([user]), json: client.json)
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
                try await Fazhi_V1_AdminService.Client(wrapping: grpc).setUserRoles(.with { $0.username = username; $0.roles = roles }, metadata: session.mutating())
            }
            try printTable(UserCommand.headers, UserCommand.rows([user]), json: client.json)
        }
    }

    struct Disable: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Argument var username: String
        @Option(name: .long, help: "Why.") var reason = ""

        func run() async throws {
            let session = try SavedSession.read()
            let user = try await client.withClient { grpc in
                try await Fazhi_V1_AdminService.Client(wrapping: grpc).disableUser(.with { $0.username = username; $0.reason = reason }, metadata: session.mutating())
            }
            try printTable(UserCommand.headers, UserCommand.rows([user]), json: client.json)
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
            try printTable(UserCommand.headers, UserCommand.rows([user]), json: client.json)
        }
    }
}

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
                try await Fazhi_V1_AuditService.Client(wrapping: grpc).listAuditEntries(.with {
                    $0.page.pageSize = Int32(limit); $0.username = user ?? ""; $0.method = method ?? ""; $0.status = status ?? ""; $0.platform = platform
                }, metadata: session.metadata)
            }.entries
            try printTable(["sequence", "time", "user", "method", "status", "reason", "peer", "duration_us"],
                           entries.map { [String($0.sequence), $0.time.date.formatted(.iso8601), $0.username, $0.method, $0.status, $0.reason, $0.peer, String($0.durationMicros)] },
                           json: client.json)
        }
    }
}
