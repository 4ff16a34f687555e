import ArgumentParser
import Configuration
import FazhiClientVerbs
import FazhiDemo
import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation

extension DemoVolume: ExpressibleByArgument {}

/// `fazhi demo`: the Hubin 2023 data set, into the development cluster or a server's
/// database.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "演示数据 / load the Hubin District 2023 demo data through the real use cases on a simulated clock.",
        discussion: """
            Without --database-url it uses the development cluster of `fazhi dev` (which loads the \
            sample on its first start): it creates the demo agency 411202-MZ when missing. With \
            --database-url (or FAZHI_DATABASE_URL) the agency must exist with an admin, and the \
            server's secret comes from FAZHI_SECRETS_KEY or FAZHI_SECRETS_KEY_FILE. Only an agency \
            without cases is filled. Every account made gets one password, printed at the end \
            (and kept in dev.json for the development cluster).
            """
    )

    @Option(
        name: .long,
        help: "sample (about 700 acts, quick) or report (the 2023 report's 2 529 marriage registrations and 306 temporary-assistance grants).")
    var volume: DemoVolume = .sample
    @Option(name: .long, help: "The server's database URL (default FAZHI_DATABASE_URL, or the development cluster).") var databaseURL: String?
    @Option(name: .long, help: "The agency to fill.") var agency = DemoAgency.code
    @Option(name: .long, help: "The agency admin the demo acts as.") var admin = "admin"
    @Option(name: .long, help: "The seed: the same seed makes the same data.") var seed: UInt64 = 2023

    func run() async throws {
        bootstrapLogging()
        if let url = databaseURL ?? ProcessInfo.processInfo.environment["FAZHI_DATABASE_URL"] {
            let config = ConfigReader(providers: [EnvironmentVariablesProvider().prefixKeys(with: "fazhi")])
            let secrets = try ServerSettings.serverSecrets(config)
            try await withStore(url) { store in
                let password = DevInfo.randomPassword()
                switch try await DemoAgency.loadIfEmpty(
                    store, secrets: secrets, agencyCode: agency, adminUsername: admin, volume: volume, password: password, seed: seed)
                {
                case .loaded: print("演示账号密码 / the demo accounts' password: \(password)")
                case .agencyHasCases: print("机构 \(agency) 已有案件，未载入 / the agency already has cases; nothing loaded")
                case .noPowerList: throw CommandFailure("缺少演示权责清单，未载入 / the demo power list is missing; nothing loaded")
                }
            }
            return
        }
        let state = try DatabaseCommand.startEmbedded()
        try await DevCommand.migrate(state)
        try await withStore(state.applicationURL) { store in
            let (username, adminPassword) = try await DemoAgency.ensureAgency(store)
            var info = DevInfo.read()
            let password = info?.demoPassword ?? DevInfo.randomPassword()
            switch try await DemoAgency.loadIfEmpty(
                store, secrets: try DevCommand.developmentSecrets(), volume: volume, password: password, seed: seed)
            {
            case .loaded: break
            case .agencyHasCases:
                print("演示机构已有案件，未载入 / the demo agency already has cases; nothing loaded (delete .fazhi/ to start over)")
                return
            case .noPowerList: throw CommandFailure("缺少演示权责清单，未载入 / the demo power list is missing; nothing loaded")
            }
            // Until `fazhi dev` writes the whole file, keep what a client needs to sign in.
            info?.demoPassword = password
            try
                (info
                ?? DevInfo(
                    grpcAddress: "", mtlsAddress: nil, caFile: "", agencyCode: DemoAgency.code, username: username, password: adminPassword,
                    agencyClientCA: "", agencyClientCAKey: "", demoPassword: password, portalURL: nil)).write()
            print("演示账号密码已写入 / the demo accounts' password is in \(DevInfo.file.path) (demo_password)")
        }
    }

    private func withStore(_ url: String, _ body: (PostgresTenantStore) async throws -> Void) async throws {
        let pool = ConnectionPool(
            configuration: PostgresConfiguration(connectionString: url, applicationName: "fazhi-demo"), options: .init(maximumConnections: 2))
        do {
            try await body(PostgresTenantStore(pool: pool))
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}
