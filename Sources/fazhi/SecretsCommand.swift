import ArgumentParser
import FazhiRules
import FazhiUseCases

/// `fazhi secrets generate`: a new server secret for `secrets.key`.
struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets", abstract: "服务器密钥 / the server secret.",
        subcommands: [Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "生成新的服务器密钥 / print a new server secret (32 random bytes, base64).",
            discussion: """
                Set it as FAZHI_SECRETS_KEY or write it to the file secrets.key_file names (mode 0600). \
                It seals officers' personal data and agencies' signing keys: keep it, back it up \
                apart from the database, and never change it on a running deployment.
                """)

        func run() async throws {
            print(ServerSecrets.generate())
        }
    }
}
