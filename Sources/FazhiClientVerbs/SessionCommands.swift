import ArgumentParser
import FazhiRPC
import FazhiRules
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
            try await Fazhi_V1_AuthService.Client(wrapping: grpc).login(
                .with {
                    $0.agencyCode = agency
                    $0.username = username
                    $0.password = password
                })
        }
        try SavedSession(
            address: "\(address.host):\(address.port)", agencyCode: agency, username: username,
            token: response.token, expiresAt: response.expiresAt.date
        ).write()
        if client.json {
            try printTable(
                ["agency", "username", "expires_at"], [[agency, username, Shown.time(response.expiresAt.date, json: client.json)]], json: true)
        } else {
            print(
                "已登录 / signed in: \(response.caller.displayName) (\(username)) @ \(response.caller.agencyName); 有效至 / until \(BeijingTime.secondWithZone(response.expiresAt.date))"
            )
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
        let me = try await client.withClient { try await Fazhi_V1_AuthService.Client(wrapping: $0).whoAmI(.init(), metadata: session.metadata) }
            .caller
        try printTable(
            ["agency", "agency_name", "username", "display_name", "roles"],
            [[me.agencyCode, me.agencyName, me.username, me.displayName, me.roles.joined(separator: ",")]], json: client.json)
    }
}
