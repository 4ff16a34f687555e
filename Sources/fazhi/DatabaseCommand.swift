import ArgumentParser
import FazhiPostgres
import Foundation

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "嵌入式开发数据库 / the embedded development PostgreSQL under .fazhi/.",
        subcommands: [Start.self, Stop.self, Status.self]
    )

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Initialize (first time) and start the cluster.")

        func run() async throws {
            let state = try DatabaseCommand.startEmbedded()
            print(
                """
                PostgreSQL 已启动 / started (\(state.clusterDirectory)); state in \(DevelopmentState.file.path)
                  owner (migrations):  FAZHI_OWNER_DATABASE_URL='\(state.ownerURL)'
                  server (app role):   FAZHI_DATABASE_URL='\(state.applicationURL)'
                """)
        }
    }

    /// Starts (and the first time creates) the checkout's embedded cluster.
    static func startEmbedded() throws -> DevelopmentState {
        let preferred = DevelopmentState.stateDirectory.appendingPathComponent("postgres")
        try FileManager.default.createDirectory(at: DevelopmentState.stateDirectory, withIntermediateDirectories: true)
        let directory =
            try DevelopmentState.read().map { URL(fileURLWithPath: $0.clusterDirectory) }
            ?? EmbeddedCluster.resolveDirectory(preferred: preferred)
        if directory.path != preferred.path {
            print("注意 / note: the postgres user cannot use \(preferred.path); the cluster lives in \(directory.path)")
        }
        let cluster = EmbeddedCluster(directory: directory)
        try cluster.start()
        let state = DevelopmentState(
            clusterDirectory: directory.path,
            ownerURL: cluster.ownerURL(),
            applicationURL: cluster.applicationURL())
        try state.write()
        return state
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the cluster (data is kept).")

        func run() async throws {
            guard let state = DevelopmentState.read() else {
                print("没有嵌入式数据库 / no embedded cluster here")
                return
            }
            try state.cluster.stop()
            print("PostgreSQL 已停止 / stopped")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the cluster runs, and where.")

        func run() async throws {
            guard let state = DevelopmentState.read() else {
                print("没有嵌入式数据库 / no embedded cluster here; run `fazhi db start`")
                throw ExitCode(3)
            }
            if try state.cluster.isRunning() {
                print("运行中 / running: \(state.clusterDirectory)\n  owner:  \(state.ownerURL)\n  server: \(state.applicationURL)")
            } else {
                print("已停止 / stopped: \(state.clusterDirectory)")
                throw ExitCode(3)
            }
        }
    }
}
