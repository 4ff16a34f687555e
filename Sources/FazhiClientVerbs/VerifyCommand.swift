import ArgumentParser
import FazhiRPC
import Foundation
import GRPCCore

/// `fazhi verify`: 亮证核验, as anyone, without signing in.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "亮证核验 / verify a credential by its number or its printed code; no sign-in.")

    @OptionGroup var client: ClientOptions
    @Argument(help: "The credential number, or with --code the scanned code.") var value: String
    @Flag(name: .long, help: "The value is a scanned code (v1.…).") var code = false

    func run() async throws {
        let response = try await client.withClient { grpc in
            let service = Fazhi_V1_VerificationService.Client(wrapping: grpc)
            return code
                ? try await service.verifyCredentialCode(.with { $0.code = value })
                : try await service.verifyCredential(.with { $0.number = value })
        }
        guard response.found else {
            if client.json { print("{\"found\":false}") } else { print("无效 / not valid") }
            throw ExitCode(1)
        }
        let card = response.card
        try printTable(
            ["number", "holder", "agency", "categories", "areas", "state", "valid_from", "valid_until", "in_force"],
            [
                [
                    card.number, card.holderName, "\(card.agencyName) (\(card.agencyCode))", card.categories.joined(separator: ","),
                    card.areas.joined(separator: ","), card.state, card.validFrom, card.validUntil, card.inForce ? "yes" : "no",
                ]
            ],
            json: client.json)
    }
}
