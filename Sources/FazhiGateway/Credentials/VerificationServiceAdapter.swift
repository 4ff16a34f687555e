import Crypto
import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import X509

/// `fazhi.v1.VerificationService`: 亮证核验 for anyone, without signing in.
struct VerificationServiceAdapter: Fazhi_V1_VerificationService.SimpleServiceProtocol {
    let verification: VerificationWork
    let keys: SigningKeyWork
    let clock: @Sendable () -> Date

    func verifyCredential(request: Fazhi_V1_VerifyCredentialRequest, context: ServerContext) async throws -> Fazhi_V1_VerifyCredentialResponse {
        guard !request.number.isEmpty else { throw RequestField.missing("number", zh: "证件编号") }
        CallScope.call.target("credential:\(request.number.prefix(64))")
        return Self.response(try await verification.byNumber(request.number, on: Moment(instant: clock()).day))
    }

    func verifyCredentialCode(request: Fazhi_V1_VerifyCredentialCodeRequest, context: ServerContext) async throws -> Fazhi_V1_VerifyCredentialResponse
    {
        guard !request.code.isEmpty else { throw RequestField.missing("code", zh: "亮证码") }
        return Self.response(try await verification.byCode(request.code, keys: keys, on: Moment(instant: clock()).day))
    }

    func getVerificationKey(request: Fazhi_V1_GetVerificationKeyRequest, context: ServerContext) async throws -> Fazhi_V1_GetVerificationKeyResponse {
        guard !request.agencyCode.isEmpty else { throw RequestField.missing("agency_code", zh: "机构代码") }
        guard let agency = try await verification.store.publicAgency(code: request.agencyCode) else {
            throw DomainError.noSuchAgency
        }
        let key = try await keys.publicKey(agency: agency.id, purpose: SigningKeyWork.credentialCode)
        return .with {
            $0.agencyCode = agency.code
            $0.publicKey = key.rawRepresentation
            $0.publicKeyPem = (try? Certificate.PublicKey(key).serializeAsPEM().pemString) ?? ""
        }
    }

    private static func response(_ answer: VerificationAnswer) -> Fazhi_V1_VerifyCredentialResponse {
        switch answer {
        case .notValid:
            return .with { $0.found = false }
        case .found(let card):
            return .with {
                $0.found = true
                $0.card = .init(card)
            }
        }
    }
}
