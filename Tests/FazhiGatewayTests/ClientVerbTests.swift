import FazhiGateway
import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Testing

/// The `fazhi` client verbs against a live gateway, as a person or a script runs them.
@Suite(.timeLimit(.minutes(3))) struct ClientVerbTests {
    struct Run {
        let status: Int32
        let output: String
    }

    /// Runs the real `fazhi` binary. It waits on a thread of its own, never on Swift's
    /// cooperative pool: the gateway under test serves from that pool, and two tests
    /// each blocking one of its threads (two cores) would leave none to answer them.
    func fazhi(_ arguments: [String], environment: [String: String], input: String? = nil) async throws -> Run {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(arguments, environment: environment, input: input) })
            }
        }
    }

    private func runBlocking(_ arguments: [String], environment: [String: String], input: String?) throws -> Run {
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
            let login = try await fazhi(["login", "--agency", GatewayHarness.agencyCode, "--username", "admin"], environment: environment)
            #expect(login.status == 0, "\(login.output)")
            let session = config.appendingPathComponent("fazhi/session.json").path
            let mode = try FileManager.default.attributesOfItem(atPath: session)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            let whoami = try await fazhi(["whoami", "--json"], environment: environment)
            let me = try JSONSerialization.jsonObject(with: Data(whoami.output.utf8)) as? [[String: String]]
            #expect(me?.first?["username"] == "admin" && me?.first?["roles"] == "admin", "\(whoami.output)")

            let create = try await fazhi(
                ["user", "create", "sun.ba", "--name", "孙八", "--roles", "officer", "auditor"], environment: environment, input: "Sun-Ba-Passw0rd")
            #expect(create.status == 0, "\(create.output)")
            #expect(create.output.contains("孙八"))
            let list = try await fazhi(["user", "list"], environment: environment)
            // Roles read by their labels in a table, by their codes in JSON.
            #expect(list.output.contains("sun.ba") && list.output.contains("监督人员 auditor、执法人员 officer"), "\(list.output)")
            let listed = try await fazhi(["user", "list", "--json"], environment: environment)
            #expect(listed.output.contains("\"auditor,officer\""), "\(listed.output)")

            // Every mutating verb sent an idempotency key.
            let owner = try await harness.database.ownerConnection()
            let keys: Int = try await owner.transaction(TransactionOptions(agencyID: try await harness.agencyID())) {
                try await $0.scalar("SELECT count(*) FROM idempotency_keys WHERE method = 'fazhi.v1.AdminService/CreateUser' AND state = 'done'")
            }
            owner.close()
            #expect(keys == 1)

            let missing = try await fazhi(["user", "show", "nobody"], environment: environment)
            #expect(missing.status != 0)
            #expect(missing.output.contains("NOT_FOUND") && missing.output.contains("不存在"), "\(missing.output)")

            let audit = try await fazhi(["audit", "list", "--json", "--limit", "3"], environment: environment)
            let rows = try JSONSerialization.jsonObject(with: Data(audit.output.utf8)) as? [[String: String]]
            #expect(rows?.count == 3, "\(audit.output)")
            #expect(rows?.first?["method"] == "fazhi.v1.AdminService/GetUser" && rows?.first?["status"] == "NOT_FOUND")

            #expect(try await fazhi(["logout"], environment: environment).status == 0)
            #expect(!FileManager.default.fileExists(atPath: session))
            let after = try await fazhi(["whoami"], environment: environment)
            #expect(after.status != 0 && after.output.contains("not signed in"))
        }
    }

    @Test func aCredentialAdministratorWorksFromTheCommandLine() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let adminToken = try await harness.login(client)
                let password = try await harness.createUser(client, adminToken: adminToken, username: "zhang", roles: [.credentialAdmin])
                let config = harness.files.directory.appendingPathComponent("config-zhang")
                let environment = [
                    "FAZHI_ADDRESS": "127.0.0.1:\(harness.port)", "FAZHI_CA_FILE": harness.files.serverCA,
                    "XDG_CONFIG_HOME": config.path, "FAZHI_PASSWORD": password,
                ]
                #expect(
                    try await fazhi(["login", "--agency", GatewayHarness.agencyCode, "--username", "zhang"], environment: environment).status == 0)
                func json(_ arguments: [String], input: String? = nil) async throws -> [String: String] {
                    let run = try await fazhi(arguments + ["--json"], environment: environment, input: input)
                    #expect(run.status == 0, "\(arguments): \(run.output)")
                    return (try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: String]])?.first ?? [:]
                }
                let officer = try await json(
                    ["officer", "create", "--name", "李明", "--unit", "社会组织管理科", "--position", "科员", "--contact", CorpsFixture.liContact],
                    input: CorpsFixture.liIDNumber)
                let officerID = try #require(officer["officer_id"])
                #expect(officer["id_number"] == CorpsFixture.liIDNumber, "a credential administrator sees it unmasked")
                let today = Moment(instant: harness.clock.now).day
                _ = try await json(["officer", "exam", officerID, "--day", today.adding(days: -3).description, "--score", "77"])
                _ = try await json(["officer", "training", officerID, "--year", String(today.year), "--hours", "12"])
                let applied = try await json(["credential", "apply", officerID, "--categories", "社会组织管理", "慈善"])
                let credentialID = try #require(applied["credential_id"])
                #expect(applied["state"] == "applied")
                let issued = try await json(["credential", "decide", "issue", credentialID, "--reason", "审核通过"])
                #expect(issued["state"] == "active" && issued["standing"] == "in force", "\(issued)")
                let number = try #require(issued["number"])
                let authority = try await json(["credential", "authority", officerID, "--category", "慈善", "--area", "411202"])
                #expect(authority["allowed"] == "yes" && authority["credential_number"] == number)

                // Anyone verifies, by number or by the printed code, without signing in.
                let code = try #require(try await json(["credential", "code", credentialID])["code"])
                let stranger = [
                    "FAZHI_ADDRESS": environment["FAZHI_ADDRESS"]!, "FAZHI_CA_FILE": harness.files.serverCA,
                    "XDG_CONFIG_HOME": harness.files.directory.appendingPathComponent("config-nobody").path,
                ]
                let byNumber = try await fazhi(["verify", number], environment: stranger)
                #expect(
                    byNumber.status == 0 && byNumber.output.contains("李明") && !byNumber.output.contains(CorpsFixture.liIDNumber), "\(byNumber.output)"
                )
                let byCode = try await fazhi(["verify", "--code", code], environment: stranger)
                #expect(byCode.status == 0 && byCode.output.contains(number), "\(byCode.output)")
                // Two characters of the signature changed (to something else than they were).
                let altered = String(code.dropLast(2)) + (code.hasSuffix("AA") ? "BA" : "AA")
                let forged = try await fazhi(["verify", "--code", altered], environment: stranger)
                #expect(forged.status == 1 && forged.output.contains("not valid"), "\(forged.output)")

                // A client certificate: the key stays here, 0600.
                let out = harness.files.directory.appendingPathComponent("li.pem").path
                let certificate = try await fazhi(["credential", "certificate", credentialID, "--out", out], environment: environment)
                #expect(certificate.status == 0, "\(certificate.output)")
                #expect(try FileManager.default.attributesOfItem(atPath: out + ".key")[.posixPermissions] as? Int == 0o600)
                #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("-----BEGIN CERTIFICATE-----"))

                let suspended = try await json(["credential", "decide", "suspend", credentialID, "--reason", "调查"])
                #expect(suspended["standing"] == "CREDENTIAL_SUSPENDED")
                let history = try await fazhi(["credential", "show", credentialID], environment: environment)
                #expect(history.output.contains("suspend") && history.output.contains("调查") && history.output.contains("zhang"), "\(history.output)")
            }
        }
    }
    /// `fazhi disclosure verify`: the whole log against a checkpoint saved earlier, then
    /// a row rewritten by direct SQL (content and its hash together) is reported, named,
    /// with exit status 1.
    @Test func disclosureVerifyReportsARewrittenRow() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in _ = try await CorpsFixture.make(harness, client) }
            let agency = try #require(try await harness.store.agency(code: GatewayHarness.agencyCode))
            try await DisclosurePublishingWork(store: harness.store).run(agency: agency, at: Moment(instant: harness.clock.now))
            try await DisclosureLogWork(store: harness.store, sealer: GatewayHarness.secrets.signingKeys).sequence(
                agency: agency, at: harness.clock.now)
            let saved = harness.files.directory.appendingPathComponent("checkpoint.txt").path
            let environment = [
                "FAZHI_ADDRESS": "127.0.0.1:\(harness.port)", "FAZHI_CA_FILE": harness.files.serverCA,
                "XDG_CONFIG_HOME": harness.files.directory.appendingPathComponent("config").path,
            ]
            let agencyFlag = ["--agency", GatewayHarness.agencyCode]
            let first = try await fazhi(["disclosure", "verify", "--save", saved] + agencyFlag, environment: environment)
            #expect(first.status == 0 && first.output.contains("verified: 1 entries"), "\(first.output)")
            let listed = try await fazhi(["disclosure", "list", "--json"] + agencyFlag, environment: environment)
            let id = try #require(listed.output.firstMatch(of: /"id" : "([0-9a-f-]{36})"/)?.1).description
            let shown = try await fazhi(["disclosure", "show", id] + agencyFlag, environment: environment)
            #expect(shown.status == 0 && shown.output.contains("verified: leaf 0 of 1"), "\(shown.output)")

            let owner = try await harness.database.ownerConnection()
            try await owner.transaction(TransactionOptions(agencyID: agency.id)) { c in
                try await c.simpleQuery("ALTER TABLE disclosure_entries DISABLE TRIGGER disclosure_entries_frozen")
                try await c.simpleQuery("UPDATE disclosure_entries SET content = replace(content, '社会组织管理', '养老服务')")
                try await c.simpleQuery("UPDATE disclosure_entries SET content_sha256 = sha256(convert_to(content, 'UTF8'))")
                try await c.simpleQuery("ALTER TABLE disclosure_entries ENABLE TRIGGER disclosure_entries_frozen")
            }
            owner.close()
            let second = try await fazhi(["disclosure", "verify", "--checkpoint", saved] + agencyFlag, environment: environment)
            #expect(second.status == 1 && second.output.contains("FAILED") && second.output.contains(id), "\(second.output)")
        }
    }
}
