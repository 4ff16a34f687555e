import FazhiDomain
import FazhiRPC
import Foundation
import GRPCCore

/// `fazhi.v1.VerificationService`: 亮证核验 for anyone.
struct VerificationServiceAdapter: Fazhi_V1_VerificationService.SimpleServiceProtocol {
    let verification: PublicVerification
    let clock: @Sendable () -> Date

    func verifyCredential(request: Fazhi_V1_VerifyCredentialRequest, context: ServerContext) async throws -> Fazhi_V1_VerifyCredentialResponse {
        guard !request.number.isEmpty else { throw missing("number", zh: "证件编号") }
        CallScope.call.target("credential:\(request.number.prefix(64))")
        switch try await verification.byNumber(request.number, on: Moment(instant: clock()).day) {
        case .notValid:
            return .with { $0.found = false }
        case let .found(card):
            return .with {
                $0.found = true
                $0.card = .with {
                    $0.number = card.number
                    $0.holderName = card.holderName
                    $0.agencyCode = card.agencyCode
                    $0.agencyName = card.agencyName
                    $0.categories = card.categories
                    $0.areas = card.areas
                    $0.state = card.state.rawValue
                    $0.validFrom = card.validFrom?.description ?? ""
                    $0.validUntil = card.validUntil?.description ?? ""
                    $0.inForce = card.inForce
                }
            }
        }
    }
}
