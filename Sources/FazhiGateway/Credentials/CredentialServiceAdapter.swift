import Crypto
import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import SwiftProtobuf
import X509

/// `fazhi.v1.CredentialService`: the enforcement corps and its credentials.
struct CredentialServiceAdapter: Fazhi_V1_CredentialService.SimpleServiceProtocol {
    let corps: OfficerWork
    let administration: CredentialWork
    let verification: VerificationWork
    let keys: SigningKeyWork
    let certificates: ClientCertificateWork
    /// The agencies' client CAs; an agency's signer, where this server holds its key.
    let authorities: ReloadingFiles<ClientAuthorities>
    let clock: @Sendable () -> Date

    private var now: Moment { Moment(instant: clock()) }

    // MARK: Officers

    func createOfficer(request: Fazhi_V1_CreateOfficerRequest, context: ServerContext) async throws -> Fazhi_V1_Officer {
        for (field, zh, value) in [
            ("name", "姓名", request.name), ("unit", "所在单位", request.unit), ("position", "职务", request.position),
            ("id_number", "身份证号码", request.idNumber),
        ] {
            guard !value.isEmpty else { throw RequestField.missing(field, zh: zh) }
        }
        let input = OfficerWork.OfficerInput(
            name: request.name, unit: request.unit, position: request.position, idNumber: request.idNumber,
            contact: request.contact.isEmpty ? nil : request.contact, username: request.username.isEmpty ? nil : request.username)
        return .init(try await corps.createOfficer(try CallScope.caller(), input, call: CallScope.call, now: clock()))
    }

    func getOfficer(request: Fazhi_V1_GetOfficerRequest, context: ServerContext) async throws -> Fazhi_V1_Officer {
        let caller = try CallScope.caller()
        if request.officerID.isEmpty { return .init(try await corps.ownOfficer(caller)) }
        let id = try RequestField.identifier(request.officerID, field: "officer_id", zh: "执法人员编号")
        CallScope.call.target("officer:\(id.uuidString.lowercased())")
        return .init(try await corps.officer(caller, id: id))
    }

    func listOfficers(request: Fazhi_V1_ListOfficersRequest, context: ServerContext) async throws -> Fazhi_V1_ListOfficersResponse {
        let page = try Page(size: request.page.pageSize, token: request.page.pageToken)
        let after = try page.afterNameAndID()
        let officers = try await corps.officers(try CallScope.caller(), after: after, limit: page.size)
        return .with {
            $0.officers = officers.map(Fazhi_V1_Officer.init)
            $0.nextPageToken = page.nextToken(count: officers.count, lastName: officers.last?.name, lastID: officers.last?.id)
        }
    }

    func recordExamResult(request: Fazhi_V1_RecordExamResultRequest, context: ServerContext) async throws -> Fazhi_V1_Officer {
        let id = try RequestField.identifier(request.officerID, field: "officer_id", zh: "执法人员编号")
        let day = try RequestField.calendarDay(request.day, field: "day", zh: "考试日期")
        return .init(
            try await corps.recordExam(try CallScope.caller(), officerID: id, day: day, score: Int(request.score), call: CallScope.call, now: now))
    }

    func setTrainingHours(request: Fazhi_V1_SetTrainingHoursRequest, context: ServerContext) async throws -> Fazhi_V1_Officer {
        let id = try RequestField.identifier(request.officerID, field: "officer_id", zh: "执法人员编号")
        return .init(
            try await corps.setTrainingHours(
                try CallScope.caller(), officerID: id, year: Int(request.year), hours: Int(request.hours),
                call: CallScope.call, now: now))
    }

    // MARK: Credential decisions

    func applyForCredential(request: Fazhi_V1_ApplyForCredentialRequest, context: ServerContext) async throws -> Fazhi_V1_Credential {
        let caller = try CallScope.caller()
        let id = try RequestField.identifier(request.officerID, field: "officer_id", zh: "执法人员编号")
        CallScope.call.target("officer:\(id.uuidString.lowercased())")
        return .init(
            try await administration.applyForCredential(
                officerID: id, categories: request.categories, areas: request.areas, agency: caller.agency, actor: caller.username,
                reason: request.reason.isEmpty ? "申领 / application" : request.reason, at: now, call: CallScope.call))
    }

    func issueCredential(request: Fazhi_V1_CredentialDecisionRequest, context: ServerContext) async throws -> Fazhi_V1_Credential {
        let (caller, id) = try decision(request)
        return .init(
            try await administration.issue(id, agency: caller.agency, actor: caller.username, reason: request.reason, at: now, call: CallScope.call))
    }

    func rejectCredential(request: Fazhi_V1_CredentialDecisionRequest, context: ServerContext) async throws -> Fazhi_V1_Credential {
        try await decide(.reject, request)
    }

    func suspendCredential(request: Fazhi_V1_CredentialDecisionRequest, context: ServerContext) async throws -> Fazhi_V1_Credential {
        try await decide(.suspend, request)
    }

    func reinstateCredential(request: Fazhi_V1_CredentialDecisionRequest, context: ServerContext) async throws -> Fazhi_V1_Credential {
        try await decide(.reinstate, request)
    }

    func revokeCredential(request: Fazhi_V1_CredentialDecisionRequest, context: ServerContext) async throws -> Fazhi_V1_Credential {
        try await decide(.revoke, request)
    }

    func renewCredential(request: Fazhi_V1_CredentialDecisionRequest, context: ServerContext) async throws -> Fazhi_V1_Credential {
        let (caller, id) = try decision(request)
        return .init(
            try await administration.succeed(
                id, replacement: false, agency: caller.agency, actor: caller.username, reason: request.reason,
                at: now, call: CallScope.call))
    }

    func replaceCredential(request: Fazhi_V1_CredentialDecisionRequest, context: ServerContext) async throws -> Fazhi_V1_Credential {
        let (caller, id) = try decision(request)
        return .init(
            try await administration.succeed(
                id, replacement: true, agency: caller.agency, actor: caller.username, reason: request.reason,
                at: now, call: CallScope.call))
    }

    func recordReview(request: Fazhi_V1_RecordReviewRequest, context: ServerContext) async throws -> Fazhi_V1_Credential {
        let caller = try CallScope.caller()
        let id = try RequestField.identifier(request.credentialID, field: "credential_id", zh: "证件编号")
        guard request.year != 0 else { throw RequestField.missing("year", zh: "审验年度") }
        guard let outcome = Credential.Review.Outcome(rawValue: request.outcome) else {
            throw DomainError.notOneOf(field: "outcome", label: "审验结论", allowed: ["passed", "failed_suspend", "failed_revoke"])
        }
        return .init(
            try await administration.review(
                id, year: Int(request.year), outcome: outcome, agency: caller.agency, actor: caller.username,
                reason: request.reason.isEmpty ? "年度审验 / annual review" : request.reason, at: now, call: CallScope.call))
    }

    private func decision(_ request: Fazhi_V1_CredentialDecisionRequest) throws -> (Caller, UUID) {
        let caller = try CallScope.caller()
        let id = try RequestField.identifier(request.credentialID, field: "credential_id", zh: "证件编号")
        guard !request.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw RequestField.missing("reason", zh: "理由") }
        return (caller, id)
    }

    private func decide(_ event: Credential.Event, _ request: Fazhi_V1_CredentialDecisionRequest) async throws -> Fazhi_V1_Credential {
        let (caller, id) = try decision(request)
        return .init(
            try await administration.apply(
                event, to: id, agency: caller.agency, actor: caller.username, reason: request.reason, at: now, call: CallScope.call))
    }

    // MARK: Reads

    func getCredential(request: Fazhi_V1_GetCredentialRequest, context: ServerContext) async throws -> Fazhi_V1_Credential {
        let id = try RequestField.identifier(request.credentialID, field: "credential_id", zh: "证件编号")
        CallScope.call.target("credential:\(id.uuidString.lowercased())")
        return .init(try await corps.credential(try CallScope.caller(), id: id, at: now))
    }

    func listCredentials(request: Fazhi_V1_ListCredentialsRequest, context: ServerContext) async throws -> Fazhi_V1_ListCredentialsResponse {
        let officerID = request.officerID.isEmpty ? nil : try RequestField.identifier(request.officerID, field: "officer_id", zh: "执法人员编号")
        let credentials = try await corps.credentials(try CallScope.caller(), officerID: officerID, at: now)
        return .with { $0.credentials = credentials.map(Fazhi_V1_Credential.init) }
    }

    func checkAuthority(request: Fazhi_V1_CheckAuthorityRequest, context: ServerContext) async throws -> Fazhi_V1_CheckAuthorityResponse {
        let id = try RequestField.identifier(request.officerID, field: "officer_id", zh: "执法人员编号")
        guard !request.category.isEmpty else { throw RequestField.missing("category", zh: "执法类别") }
        guard !request.area.isEmpty else { throw RequestField.missing("area", zh: "执法区域") }
        let answer = try await corps.authority(
            try CallScope.caller(), officerID: id, category: request.category, area: try DivisionCode(request.area), at: now)
        return .with {
            switch answer {
            case .allowed(let number):
                $0.allowed = true
                $0.credentialNumber = number
            case .denied(let refusal):
                $0.refusal = refusal.rawValue
            }
        }
    }

    func getVerificationCode(
        request: Fazhi_V1_GetVerificationCodeRequest, context: ServerContext
    ) async throws -> Fazhi_V1_GetVerificationCodeResponse {
        let id = try RequestField.identifier(request.credentialID, field: "credential_id", zh: "证件编号")
        CallScope.call.target("credential:\(id.uuidString.lowercased())")
        let code = try await verification.code(try CallScope.caller(), credentialID: id, keys: keys)
        return .with { $0.code = code }
    }

    // MARK: Client certificates

    func issueClientCertificate(
        request: Fazhi_V1_IssueClientCertificateRequest, context: ServerContext
    ) async throws -> Fazhi_V1_IssueClientCertificateResponse {
        let caller = try CallScope.caller()
        let id = try RequestField.identifier(request.credentialID, field: "credential_id", zh: "证件编号")
        guard !request.csrPem.isEmpty else { throw RequestField.missing("csr_pem", zh: "证书签名请求") }
        guard request.csrPem.utf8.count <= 16_384, let csr = try? CertificateSigningRequest(pemEncoded: request.csrPem) else {
            throw DomainError.csrNotPEM
        }
        guard let authority = authorities.current.signers[caller.agency.code] else {
            throw DomainError.noCAKeyForAgency
        }
        let issuedAt = clock()
        let (certificate, notAfter) = try await certificates.issue(caller, credentialID: id, call: CallScope.call, at: Moment(instant: issuedAt)) {
            grant in
            let certificate = try authority.issueClientCertificate(
                for: csr, uri: ClientCertificateWork.uri(agencyCode: grant.agencyCode, credentialNumber: grant.credentialNumber),
                commonName: "\(grant.holderName) \(grant.credentialNumber)", now: issuedAt, notAfter: grant.notAfter)
            return (certificate.serialNumber.description, (try certificate.serializeAsPEM().pemString, grant.notAfter))
        }
        return .with {
            $0.certificatePem = certificate
            $0.authorityPem = (try? authority.certificate.serializeAsPEM().pemString) ?? ""
            $0.notAfter = Google_Protobuf_Timestamp(date: notAfter)
        }
    }
}
