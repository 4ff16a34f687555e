import ArgumentParser
import FazhiClientVerbs
import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation

/// The first platform administrator has nobody to create it over RPC: the operator makes
/// it here, with the server's database URL.
struct PlatformAdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform-admin",
        abstract: "平台管理员 / create a platform administrator (agency `platform`); the password is read from standard input.",
        subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        @Argument var username: String
        @Option(name: .long, help: "Display name.") var name: String
        @Option(name: .long, help: "The server's database URL (default FAZHI_DATABASE_URL, or the embedded cluster).") var databaseURL: String?

        func run() async throws {
            guard let url = databaseURL ?? ProcessInfo.processInfo.environment["FAZHI_DATABASE_URL"] ?? DevelopmentState.read()?.applicationURL else {
                throw CommandFailure("没有数据库地址 / no database: pass --database-url or set FAZHI_DATABASE_URL")
            }
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw CommandFailure("请在标准输入中提供密码 / give the password on standard input")
            }
            try UsernameRule.validate(username)
            try PasswordPolicy(minimumLength: 12, minimumCharacterClasses: 3).check(password, username: username)
            let pool = ConnectionPool(
                configuration: PostgresConfiguration(connectionString: url, applicationName: "fazhi-cli"),
                options: .init(maximumConnections: 1))
            defer { Task { await pool.close() } }
            let store = PostgresTenantStore(pool: pool)
            guard let platform = try await store.agency(code: Agency.platformCode) else {
                throw CommandFailure("平台机构不存在 / the platform agency is missing: run `fazhi migrate`")
            }
            let hash = try PasswordHash.make(password, parameters: .standard)
            let now = Date()
            let user = try await store.transaction(agency: platform.id, .write(for: nil)) { tx in
                let user = try await tx.insertUser(
                    NewUser(username: username, displayName: name, passwordHash: hash, roles: [.platformAdmin]), grantedBy: nil, at: now)
                try await tx.appendAudit(
                    AuditRecord(
                        at: now, agencyID: platform.id, agencyCode: platform.code, userID: nil, username: NSUserName(), roles: [],
                        method: "cli/platform-admin create", targetIDs: ["user:\(username)"], status: "OK", reason: nil,
                        peer: "local", requestID: UUID().uuidString.lowercased(), durationMicroseconds: 0))
                return user
            }
            print(
                "已创建平台管理员 / created platform administrator \(user.username); sign in with `fazhi login --agency platform --username \(user.username)`"
            )
        }
    }
}
