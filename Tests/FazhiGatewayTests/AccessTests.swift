import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf
import Testing

/// Every method of every served service, from the generated descriptors.
let everyMethod: [MethodDescriptor] =
    Fazhi_V1_AuthService.Method.descriptors + Fazhi_V1_AdminService.Method.descriptors
    + Fazhi_V1_AuditService.Method.descriptors + Fazhi_V1_VerificationService.Method.descriptors
    + Fazhi_V1_CredentialService.Method.descriptors + Fazhi_V1_PowerListService.Method.descriptors
    + Fazhi_V1_PartyService.Method.descriptors + Fazhi_V1_CaseService.Method.descriptors
    + Fazhi_V1_CaseRecordService.Method.descriptors + Fazhi_V1_DisclosureService.Method.descriptors
    + Fazhi_V1_StatisticsService.Method.descriptors
    + Grpc_Health_V1_Health.Method.descriptors

func key(_ method: MethodDescriptor) -> String { "\(method.service.fullyQualifiedService)/\(method.method)" }

@Suite(.timeLimit(.minutes(3))) struct AccessTests {
    @Test func everyGeneratedMethodIsInTheAccessTableAndNothingElse() {
        let generated = Set(everyMethod.map(key))
        let table = Set(AccessTable.rules.keys)
        #expect(generated.subtracting(table).isEmpty, "methods missing from the access table: \(generated.subtracting(table).sorted())")
        #expect(table.subtracting(generated).isEmpty, "access-table entries for no method: \(table.subtracting(generated).sorted())")
        #expect(Set(Gateway.serviceNames) == Set(everyMethod.map(\.service.fullyQualifiedService)))
    }

    @Test func aMethodMissingFromTheTableIsDenied() {
        #expect(AccessTable.decide(method: "fazhi.v1.AuthService/Impersonate", roles: [.admin, .platformAdmin]) == .unknownMethod)
        #expect(AccessTable.decide(method: "fazhi.v1.AuthService/Impersonate", roles: nil) == .unknownMethod)
    }

    /// Who may call what, written out here rather than read from the table: "public" for
    /// everyone, "any" for any signed-in user, otherwise the roles.
    static let expected: [String: Set<String>] = [
        "grpc.health.v1.Health/Check": ["public"],
        "grpc.health.v1.Health/Watch": ["public"],
        "fazhi.v1.AuthService/Login": ["public"],
        "fazhi.v1.AuthService/Logout": ["any"],
        "fazhi.v1.AuthService/WhoAmI": ["any"],
        "fazhi.v1.AuthService/ChangePassword": ["any"],
        "fazhi.v1.AdminService/ListUsers": ["admin", "auditor", "platform_admin"],
        "fazhi.v1.AdminService/GetUser": ["admin", "auditor", "platform_admin"],
        "fazhi.v1.AdminService/CreateUser": ["admin", "platform_admin"],
        "fazhi.v1.AdminService/SetUserRoles": ["admin", "platform_admin"],
        "fazhi.v1.AdminService/DisableUser": ["admin", "platform_admin"],
        "fazhi.v1.AdminService/EnableUser": ["admin", "platform_admin"],
        "fazhi.v1.AdminService/ListAgencies": ["platform_admin"],
        "fazhi.v1.AdminService/CreateAgency": ["platform_admin"],
        "fazhi.v1.AuditService/ListAuditEntries": ["admin", "auditor", "platform_admin"],
        "fazhi.v1.VerificationService/VerifyCredential": ["public"],
        "fazhi.v1.VerificationService/VerifyCredentialCode": ["public"],
        "fazhi.v1.VerificationService/GetVerificationKey": ["public"],
        "fazhi.v1.CredentialService/CreateOfficer": ["credential_admin"],
        "fazhi.v1.CredentialService/GetOfficer": ["credential_admin", "auditor", "officer"],
        "fazhi.v1.CredentialService/ListOfficers": ["credential_admin", "auditor"],
        "fazhi.v1.CredentialService/RecordExamResult": ["credential_admin"],
        "fazhi.v1.CredentialService/SetTrainingHours": ["credential_admin"],
        "fazhi.v1.CredentialService/ApplyForCredential": ["credential_admin"],
        "fazhi.v1.CredentialService/IssueCredential": ["credential_admin"],
        "fazhi.v1.CredentialService/RejectCredential": ["credential_admin"],
        "fazhi.v1.CredentialService/SuspendCredential": ["credential_admin"],
        "fazhi.v1.CredentialService/ReinstateCredential": ["credential_admin"],
        "fazhi.v1.CredentialService/RevokeCredential": ["credential_admin"],
        "fazhi.v1.CredentialService/RenewCredential": ["credential_admin"],
        "fazhi.v1.CredentialService/ReplaceCredential": ["credential_admin"],
        "fazhi.v1.CredentialService/RecordReview": ["credential_admin"],
        "fazhi.v1.CredentialService/GetCredential": ["credential_admin", "auditor", "officer"],
        "fazhi.v1.CredentialService/ListCredentials": ["credential_admin", "auditor", "officer"],
        "fazhi.v1.CredentialService/CheckAuthority": ["credential_admin", "auditor", "officer"],
        "fazhi.v1.CredentialService/GetVerificationCode": ["credential_admin", "auditor", "officer"],
        "fazhi.v1.CredentialService/IssueClientCertificate": ["credential_admin", "officer"],
        "fazhi.v1.PowerListService/GetPowerList": ["public"],
        "fazhi.v1.PowerListService/ListPowerListVersions": ["public"],
        "fazhi.v1.PowerListService/GetPowerListDraft": ["admin", "auditor"],
        "fazhi.v1.PowerListService/PutPowerItem": ["admin"],
        "fazhi.v1.PowerListService/RemovePowerItem": ["admin"],
        "fazhi.v1.PowerListService/ReplacePowerListDraft": ["admin"],
        "fazhi.v1.PowerListService/PublishPowerList": ["admin"],
        "fazhi.v1.PartyService/CreateParty": ["officer"],
        "fazhi.v1.PartyService/GetParty": ["officer", "legal_reviewer", "approver", "compliance_officer", "auditor"],
        "fazhi.v1.PartyService/ListParties": ["officer", "legal_reviewer", "approver", "compliance_officer", "auditor"],
        "fazhi.v1.CaseService/OpenCase": ["officer"],
        "fazhi.v1.CaseService/TakeStep": ["officer"],
        "fazhi.v1.CaseService/ConfirmStep": ["officer"],
        "fazhi.v1.CaseService/Recuse": ["officer"],
        "fazhi.v1.CaseService/ReviewCase": ["legal_reviewer"],
        "fazhi.v1.CaseService/ApproveCase": ["approver"],
        "fazhi.v1.CaseService/DecideCase": ["officer", "approver"],
        "fazhi.v1.CaseService/CloseCase": ["officer"],
        "fazhi.v1.CaseService/GetCase": ["officer", "legal_reviewer", "approver", "compliance_officer", "auditor"],
        "fazhi.v1.CaseService/ListCases": ["officer", "legal_reviewer", "approver", "compliance_officer", "auditor"],
        "fazhi.v1.CaseService/RecordFindings": ["officer"],
        "fazhi.v1.CaseService/VerifyRectification": ["officer"],
        "fazhi.v1.CaseService/ListOverdueRectifications": ["officer", "approver", "compliance_officer", "auditor"],
        "fazhi.v1.CaseRecordService/UploadEvidence": ["officer"],
        "fazhi.v1.CaseRecordService/DownloadEvidence": ["officer", "legal_reviewer", "approver", "auditor"],
        "fazhi.v1.CaseRecordService/CorrectRecord": ["officer"],
        "fazhi.v1.DisclosureService/ListDisclosures": ["public"],
        "fazhi.v1.DisclosureService/GetDisclosure": ["public"],
        "fazhi.v1.DisclosureService/GetCheckpoint": ["public"],
        "fazhi.v1.DisclosureService/GetConsistencyProof": ["public"],
        "fazhi.v1.DisclosureService/GetLogKey": ["public"],
        "fazhi.v1.DisclosureService/ListLogEntries": ["public"],
        "fazhi.v1.DisclosureService/RotateLogKey": ["admin"],
        "fazhi.v1.DisclosureService/ListDueDisclosures": ["compliance_officer", "auditor"],
        "fazhi.v1.DisclosureService/ReleaseDisclosure": ["compliance_officer"],
        "fazhi.v1.DisclosureService/WithdrawDisclosure": ["approver"],
        "fazhi.v1.DisclosureService/CorrectDisclosure": ["compliance_officer"],
        "fazhi.v1.StatisticsService/GetAnnualStatistics": ["compliance_officer", "auditor"],
        "fazhi.v1.StatisticsService/PublishAnnualStatistics": ["compliance_officer"],
        "fazhi.v1.StatisticsService/ExportStatistics": ["compliance_officer", "auditor"],
    ]

    @Test func theRoleByMethodMatrix() async throws {
        #expect(Set(Self.expected.keys) == Set(everyMethod.map(key)), "the matrix must name every method")
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let adminToken = try await harness.login(client)
                var tokens: [String: String?] = ["nobody": nil]
                for role in Role.allCases where role != .platformAdmin {
                    let username = "u-\(role.rawValue.replacingOccurrences(of: "_", with: "-"))"
                    let password = try await harness.createUser(client, adminToken: adminToken, username: username, roles: [role])
                    tokens[role.rawValue] = try await harness.login(client, username: username, password: password)
                }
                tokens["platform_admin"] = try await harness.login(
                    client, username: "operator", password: try await platformAdmin(harness), agency: "platform")

                // Logout last, since it ends the session it is called with.
                let methods = everyMethod.sorted {
                    (key($0) == "fazhi.v1.AuthService/Logout" ? 1 : 0, key($0)) < (key($1) == "fazhi.v1.AuthService/Logout" ? 1 : 0, key($1))
                }
                for method in methods {
                    for (who, token) in tokens.sorted(by: { $0.key < $1.key }) {
                        let allowed = Self.expected[key(method)]!
                        let mayCall = allowed.contains("public") || (token != nil && (allowed.contains("any") || allowed.contains(who)))
                        let code = await call(client, method, token: token)
                        if mayCall {
                            #expect(
                                code != .permissionDenied && code != .unauthenticated,
                                "\(who) should reach \(key(method)), got \(String(describing: code))")
                        } else {
                            #expect(
                                code == (token == nil ? .unauthenticated : .permissionDenied),
                                "\(who) must not reach \(key(method)), got \(String(describing: code))")
                        }
                    }
                }
            }
        }
    }

    /// Calls `method` with an empty request (every proto3 message encodes so); nil means OK.
    private func call(_ client: GRPCClient<HTTP2ClientTransport.Posix>, _ method: MethodDescriptor, token: String?) async -> RPCError.Code? {
        let request = ClientRequest(message: Google_Protobuf_Empty(), metadata: token.map(bearer) ?? [:])
        do {
            if key(method) == "grpc.health.v1.Health/Watch" {
                try await client.serverStreaming(
                    request: request, descriptor: method, serializer: ProtobufSerializer<Google_Protobuf_Empty>(),
                    deserializer: ProtobufDeserializer<Google_Protobuf_Empty>(), options: .defaults
                ) { response in
                    for try await _ in response.messages { break }
                }
            } else {
                try await client.unary(
                    request: request, descriptor: method, serializer: ProtobufSerializer<Google_Protobuf_Empty>(),
                    deserializer: ProtobufDeserializer<Google_Protobuf_Empty>(), options: .defaults
                ) { response in _ = try response.message }
            }
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }
}

/// Makes a platform administrator `operator` in the platform agency; returns the password.
func platformAdmin(_ harness: GatewayHarness) async throws -> String {
    let password = "Operator-Passw0rd"
    guard let platform = try await harness.store.agency(code: "platform") else { throw CancellationError() }
    _ = try await harness.store.transaction(agency: platform.id, .write(for: nil)) { tx in
        try await tx.insertUser(
            NewUser(
                username: "operator", displayName: "运维", passwordHash: try PasswordHash.make(password, parameters: GatewayHarness.scrypt),
                roles: [.platformAdmin]), grantedBy: nil, at: Date())
    }
    return password
}
