import ArgumentParser
import FazhiRPC
import GRPCCore

/// `fazhi health`: the gRPC health protocol from the command line, for container health
/// checks, probes and scripts.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "健康检查 / ask a server whether it serves (gRPC health); exit 0 only when SERVING.",
        discussion: """
            The server answers NOT_SERVING while its database cannot be reached and while it \
            shuts down. A container checks itself with --address 127.0.0.1:7443 and --server-name \
            set to the name its certificate carries.
            """
    )

    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "The name the server's certificate carries, when the address is not that name.") var serverName: String?
    @Option(name: .long, help: "Seconds to wait for the answer.") var timeout = 5

    func validate() throws {
        guard (1...300).contains(timeout) else { throw ValidationError("--timeout 须在 1 至 300 秒之间 / --timeout must be 1 to 300 seconds") }
    }

    func run() async throws {
        let seconds = timeout
        let status: Grpc_Health_V1_HealthCheckResponse.ServingStatus
        do {
            status = try await client.withClient(serverName: serverName) { client in
                var options = CallOptions.defaults
                options.timeout = .seconds(seconds)
                return try await Grpc_Health_V1_Health.Client(wrapping: client).check(.init(), options: options).status
            }
        } catch {
            print("不可用 / unreachable: \(error)")
            throw ExitCode(2)
        }
        guard status == .serving else {
            print("未在服务 / not serving: \(status)")
            throw ExitCode(1)
        }
        print("服务中 / SERVING")
    }
}
