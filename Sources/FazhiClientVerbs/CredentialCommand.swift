import ArgumentParser
import Crypto
import FazhiRPC
import FazhiRules
import Foundation
import GRPCCore
import X509

/// `fazhi credential ...`: the life of enforcement credentials 行政执法证.
struct CredentialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credential", abstract: "行政执法证 / enforcement credentials.",
        subcommands: [Apply.self, Decide.self, Review.self, Show.self, List.self, Authority.self, Code.self, Certificate.self])

    static let headers = ["credential_id", "number", "state", "standing", "categories", "areas", "valid_from", "valid_until", "successor"]

    static func rows(_ credentials: [Fazhi_V1_Credential], json: Bool) -> [[String]] {
        credentials.map {
            [
                $0.credentialID, $0.number, Shown.code($0.state, as: Credential.State.self, json: json), Shown.standing($0.standing, json: json),
                $0.categories.joined(separator: ","),
                $0.areas.joined(separator: ","), $0.validFrom, $0.validUntil, $0.successor,
            ]
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "申领 / apply for a credential for an officer.")
        @OptionGroup var client: ClientOptions
        @Argument var officerID: String
        @Option(name: .long, parsing: .upToNextOption, help: "执法类别 / enforcement categories.") var categories: [String]
        @Option(name: .long, parsing: .upToNextOption, help: "Division codes; default: the agency's.") var areas: [String] = []
        @Option(name: .long) var reason = ""

        func run() async throws {
            let session = try SavedSession.read()
            let credential = try await client.withClient { grpc in
                try await Fazhi_V1_CredentialService.Client(wrapping: grpc).applyForCredential(
                    .with {
                        $0.officerID = officerID
                        $0.categories = categories
                        $0.areas = areas
                        $0.reason = reason
                    }, metadata: session.mutating())
            }
            try printTable(CredentialCommand.headers, CredentialCommand.rows([credential], json: client.json), json: client.json)
        }
    }

    enum Decision: String, ExpressibleByArgument, CaseIterable {
        case issue, reject, suspend, reinstate, revoke, renew, replace
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decide",
            abstract: "发证/不予发证/暂扣/恢复/注销/换发/补发 / issue, reject, suspend, reinstate, revoke, renew or replace.",
            discussion: "renew and replace print the successor credential.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "One of: \(Decision.allCases.map(\.rawValue).joined(separator: ", ")).") var decision: Decision
        @Argument var credentialID: String
        @Option(name: .long, help: "理由 / the reason, kept forever.") var reason: String

        func run() async throws {
            let session = try SavedSession.read()
            let request = Fazhi_V1_CredentialDecisionRequest.with {
                $0.credentialID = credentialID
                $0.reason = reason
            }
            let credential = try await client.withClient { grpc in
                let service = Fazhi_V1_CredentialService.Client(wrapping: grpc)
                let metadata = session.mutating()
                switch decision {
                case .issue: return try await service.issueCredential(request, metadata: metadata)
                case .reject: return try await service.rejectCredential(request, metadata: metadata)
                case .suspend: return try await service.suspendCredential(request, metadata: metadata)
                case .reinstate: return try await service.reinstateCredential(request, metadata: metadata)
                case .revoke: return try await service.revokeCredential(request, metadata: metadata)
                case .renew: return try await service.renewCredential(request, metadata: metadata)
                case .replace: return try await service.replaceCredential(request, metadata: metadata)
                }
            }
            try printTable(CredentialCommand.headers, CredentialCommand.rows([credential], json: client.json), json: client.json)
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "年度审验 / record the annual review of a finished year.")
        @OptionGroup var client: ClientOptions
        @Argument var credentialID: String
        @Option(name: .long) var year: Int32
        @Option(name: .long, help: "passed, failed_suspend or failed_revoke.") var outcome: String
        @Option(name: .long) var reason = ""

        func run() async throws {
            let session = try SavedSession.read()
            let credential = try await client.withClient { grpc in
                try await Fazhi_V1_CredentialService.Client(wrapping: grpc).recordReview(
                    .with {
                        $0.credentialID = credentialID
                        $0.year = year
                        $0.outcome = outcome
                        $0.reason = reason
                    }, metadata: session.mutating())
            }
            try printTable(CredentialCommand.headers, CredentialCommand.rows([credential], json: client.json), json: client.json)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A credential with its whole history.")
        @OptionGroup var client: ClientOptions
        @Argument var credentialID: String

        func run() async throws {
            let session = try SavedSession.read()
            let credential = try await client.withClient { grpc in
                try await Fazhi_V1_CredentialService.Client(wrapping: grpc).getCredential(
                    .with { $0.credentialID = credentialID }, metadata: session.metadata)
            }
            try printTable(CredentialCommand.headers, CredentialCommand.rows([credential], json: client.json), json: client.json)
            if !client.json {
                print("")
                try printTable(
                    ["at", "from", "to", "event", "actor", "reason"],
                    credential.history.map {
                        [
                            Shown.time($0.at.date, json: false), Shown.code($0.fromState, as: Credential.State.self, json: false),
                            Shown.code($0.toState, as: Credential.State.self, json: false), Shown.credentialEvent($0.event, json: false), $0.actor,
                            $0.reason,
                        ]
                    }, json: false)
            }
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Argument(help: "The officer's id; omitted: your own credentials.") var officerID: String?

        func run() async throws {
            let session = try SavedSession.read()
            let response = try await client.withClient { grpc in
                try await Fazhi_V1_CredentialService.Client(wrapping: grpc).listCredentials(
                    .with { $0.officerID = officerID ?? "" }, metadata: session.metadata)
            }
            try printTable(CredentialCommand.headers, CredentialCommand.rows(response.credentials, json: client.json), json: client.json)
        }
    }

    struct Authority: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "May this officer act now on this category in this area?")
        @OptionGroup var client: ClientOptions
        @Argument var officerID: String
        @Option(name: .long) var category: String
        @Option(name: .long, help: "A division code.") var area: String

        func run() async throws {
            let session = try SavedSession.read()
            let answer = try await client.withClient { grpc in
                try await Fazhi_V1_CredentialService.Client(wrapping: grpc).checkAuthority(
                    .with {
                        $0.officerID = officerID
                        $0.category = category
                        $0.area = area
                    }, metadata: session.metadata)
            }
            try printTable(
                ["allowed", "credential_number", "refusal"], [[answer.allowed ? "yes" : "no", answer.credentialNumber, answer.refusal]],
                json: client.json)
        }
    }

    struct Code: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "亮证码 / the signed code to print on the credential.")
        @OptionGroup var client: ClientOptions
        @Argument var credentialID: String

        func run() async throws {
            let session = try SavedSession.read()
            let response = try await client.withClient { grpc in
                try await Fazhi_V1_CredentialService.Client(wrapping: grpc).getVerificationCode(
                    .with { $0.credentialID = credentialID }, metadata: session.metadata)
            }
            try printTable(["code"], [[response.code]], json: client.json)
        }
    }

    struct Certificate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "客户端证书 / get a client certificate bound to a credential.",
            discussion: """
                Makes a new P-256 key here (written 0600 next to the certificate; it never leaves this \
                machine), sends a CSR, and writes the signed certificate. Use both on the mutual-TLS port.
                """)
        @OptionGroup var client: ClientOptions
        @Argument var credentialID: String
        @Option(name: .long, help: "Where to write the certificate (PEM); the key goes to <path>.key.") var out: String

        func run() async throws {
            let session = try SavedSession.read()
            let key = P256.Signing.PrivateKey()
            let csr = try CertificateSigningRequest(
                version: .v1, subject: try DistinguishedName { CommonName("fazhi client") }, privateKey: .init(key),
                attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: .ecdsaWithSHA256)
            let csrPEM = try csr.serializeAsPEM().pemString
            let response = try await client.withClient { grpc in
                try await Fazhi_V1_CredentialService.Client(wrapping: grpc).issueClientCertificate(
                    .with {
                        $0.credentialID = credentialID
                        $0.csrPem = csrPEM
                    }, metadata: session.mutating())
            }
            let keyPath = out + ".key"
            try? FileManager.default.removeItem(atPath: keyPath)
            guard FileManager.default.createFile(atPath: keyPath, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
            else {
                throw CommandFailure("cannot write \(keyPath)")
            }
            try response.certificatePem.write(toFile: out, atomically: true, encoding: .utf8)
            try printTable(
                ["certificate", "key", "not_after"], [[out, keyPath, Shown.time(response.notAfter.date, json: client.json)]], json: client.json)
        }
    }
}
