import FazhiDomain
import FazhiGateway
import FazhiPostgres
import FazhiTestSupport
import Foundation
import Testing

/// The `fazhi` client verbs against a live gateway, as a person or a script runs them.
@Suite(.timeLimit(.minutes(3))) struct ClientVerbTests {
    struct Run {
        let status: Int32
        let output: String
    }

    func fazhi(_ arguments: [String], environment: [String: String], input: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = fazhiExecutable()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data((input + "\n").utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    @Test func signInManageUsersAndReadTheAudit() async throws {
        try await GatewayHarness.with { harness in
            let config = harness.files.directory.appendingPathComponent("config")
            let environment = [
                "FAZHI_ADDRESS": "127.0.0.1:\(harness.port)", "FAZHI_CA_FILE": harness.files.serverCA,
                "XDG_CONFIG_HOME": config.path, "FAZHI_PASSWORD": GatewayHarness.adminPassword,
            ]
            let login = try fazhi(["login", "--agency", GatewayHarness.agencyCode, "--username", "admin"], environment: environment)
            #expect(login.status == 0, "\(login.output)")
            let session = config.appendingPathComponent("fazhi/session.json").path
            let mode = try FileManager.default.attributesOfItem(atPath: session)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            let whoami = try fazhi(["whoami", "--json"], environment: environment)
            let me = try JSONSerialization.jsonObject(with: Data(whoami.output.utf8)) as? [[String: String]]
            #expect(me?.first?["username"] == "admin" && me?.first?["roles"] == "admin", "\(whoami.output)")

            let create = try fazhi(["user", "create", "sun.ba", "--name", "孙八", "--roles", "officer", "auditor"], environment: environment, input: "Sun-Ba-Passw0rd")
            #expect(create.status == 0, "\(create.output)")
            #expect(create.output.contains("孙八"))
            let list = try fazhi(["user", "list"], environment: environment)
            #expect(list.output.contains("sun.ba") && list.output.contains("auditor,officer"), "\(list.output)")

            // Every mutating verb sent an idempotency key.
            let owner = try await harness.database.ownerConnection()
            let keys: Int = try await owner.transaction(TransactionOptions(agencyID: try await harness.agencyID())) {
                try await $0.scalar("SELECT count(*) FROM idempotency_keys WHERE method = 'fazhi.v1.AdminService/CreateUser' AND state = 'done'")
            }
            await owner.close()
            #expect(keys == 1)

            let missing = try fazhi(["user", "show", "nobody"], environment: environment)
            #expect(missing.status != 0)
            #expect(missing.output.contains("NOT_FOUND") && missing.output.contains("不存在"), "\(missing.output)")

            let audit = try fazhi(["audit", "list", "--json", "--limit", "3"], environment: environment)
            let rows = try JSONSerialization.jsonObject(with: Data(audit.output.utf8)) as? [[String: String]]
            #expect(rows?.count == 3, "\(audit.output)")
            #expect(rows?.first?["method"] == "fazhi.v1.AdminService/GetUser" && rows?.first?["status"] == "NOT_FOUND")

            #expect(try fazhi(["logout"], environment: environment).status == 0)
            #expect(!FileManager.default.fileExists(atPath: session))
            let after = try fazhi(["whoami"], environment: environment)
            #expect(after.status != 0 && after.output.contains("not signed in"))
        }
    }
}
