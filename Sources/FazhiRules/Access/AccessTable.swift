/// The one place that says who may call what. The gateway consults it before any service
/// code runs; a method missing from it is denied. Keys are full gRPC method names without
/// the leading slash ("package.Service/Method").
public enum AccessTable {
    public static let rules: [String: MethodRule] = [
        // Health checkers call without signing in.
        "grpc.health.v1.Health/Check": .everyone(.read),
        "grpc.health.v1.Health/Watch": .everyone(.read),

        "fazhi.v1.AuthService/Login": .everyone(.session),
        "fazhi.v1.AuthService/Logout": .signedIn(.session),
        "fazhi.v1.AuthService/WhoAmI": .signedIn(.read),
        "fazhi.v1.AuthService/ChangePassword": .signedIn(.session),

        // Users of the caller's own agency: its admin; auditors read.
        "fazhi.v1.AdminService/ListUsers": .roles(.admin, .auditor, .platformAdmin, kind: .read),
        "fazhi.v1.AdminService/GetUser": .roles(.admin, .auditor, .platformAdmin, kind: .read),
        "fazhi.v1.AdminService/CreateUser": .roles(.admin, .platformAdmin, kind: .change),
        "fazhi.v1.AdminService/SetUserRoles": .roles(.admin, .platformAdmin, kind: .change),
        "fazhi.v1.AdminService/DisableUser": .roles(.admin, .platformAdmin, kind: .change),
        "fazhi.v1.AdminService/EnableUser": .roles(.admin, .platformAdmin, kind: .change),
        // Agencies of the deployment: the operator only.
        "fazhi.v1.AdminService/ListAgencies": .roles(.platformAdmin, kind: .read),
        "fazhi.v1.AdminService/CreateAgency": .roles(.platformAdmin, kind: .change),

        "fazhi.v1.AuditService/ListAuditEntries": .roles(.admin, .auditor, .platformAdmin, kind: .read),

        // 亮证核验: the public verifies credentials without signing in.
        "fazhi.v1.VerificationService/VerifyCredential": .everyone(.read),
        "fazhi.v1.VerificationService/VerifyCredentialCode": .everyone(.read),
        "fazhi.v1.VerificationService/GetVerificationKey": .everyone(.read),

        // 行政执法公示: the public reads and verifies; compliance officers release and
        // correct; approvers withdraw.
        "fazhi.v1.DisclosureService/ListDisclosures": .everyone(.read),
        "fazhi.v1.DisclosureService/GetDisclosure": .everyone(.read),
        "fazhi.v1.DisclosureService/GetCheckpoint": .everyone(.read),
        "fazhi.v1.DisclosureService/GetConsistencyProof": .everyone(.read),
        "fazhi.v1.DisclosureService/GetLogKey": .everyone(.read),
        "fazhi.v1.DisclosureService/ListLogEntries": .everyone(.read),
        // The agency's admin rotates its log key (the old one stays published).
        "fazhi.v1.DisclosureService/RotateLogKey": .roles(.admin, kind: .change),
        "fazhi.v1.DisclosureService/ListDueDisclosures": .roles(.complianceOfficer, .auditor, kind: .read),
        "fazhi.v1.DisclosureService/ReleaseDisclosure": .roles(.complianceOfficer, kind: .change),
        "fazhi.v1.DisclosureService/WithdrawDisclosure": .roles(.approver, kind: .change),
        "fazhi.v1.DisclosureService/CorrectDisclosure": .roles(.complianceOfficer, kind: .change),

        // 统计年报: compliance officers and auditors.
        "fazhi.v1.StatisticsService/GetAnnualStatistics": .roles(.complianceOfficer, .auditor, kind: .read),
        "fazhi.v1.StatisticsService/PublishAnnualStatistics": .roles(.complianceOfficer, kind: .change),
        "fazhi.v1.StatisticsService/ExportStatistics": .roles(.complianceOfficer, .auditor, kind: .read),

        // The enforcement corps: credential administrators write; auditors read all
        // (masked); an officer reads their own record (the use case checks whose).
        "fazhi.v1.CredentialService/CreateOfficer": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/GetOfficer": .roles(.credentialAdmin, .auditor, .officer, kind: .read),
        "fazhi.v1.CredentialService/ListOfficers": .roles(.credentialAdmin, .auditor, kind: .read),
        "fazhi.v1.CredentialService/RecordExamResult": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/SetTrainingHours": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/ApplyForCredential": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/IssueCredential": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/RejectCredential": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/SuspendCredential": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/ReinstateCredential": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/RevokeCredential": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/RenewCredential": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/ReplaceCredential": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/RecordReview": .roles(.credentialAdmin, kind: .change),
        "fazhi.v1.CredentialService/GetCredential": .roles(.credentialAdmin, .auditor, .officer, kind: .read),
        "fazhi.v1.CredentialService/ListCredentials": .roles(.credentialAdmin, .auditor, .officer, kind: .read),
        "fazhi.v1.CredentialService/CheckAuthority": .roles(.credentialAdmin, .auditor, .officer, kind: .read),
        "fazhi.v1.CredentialService/GetVerificationCode": .roles(.credentialAdmin, .auditor, .officer, kind: .read),
        // The holder asks for their own certificate; an administrator may for any.
        "fazhi.v1.CredentialService/IssueClientCertificate": .roles(.credentialAdmin, .officer, kind: .change),

        // 权责清单: public once published; the agency's admin edits and publishes it.
        "fazhi.v1.PowerListService/GetPowerList": .everyone(.read),
        "fazhi.v1.PowerListService/ListPowerListVersions": .everyone(.read),
        "fazhi.v1.PowerListService/GetPowerListDraft": .roles(.admin, .auditor, kind: .read),
        "fazhi.v1.PowerListService/PutPowerItem": .roles(.admin, kind: .change),
        "fazhi.v1.PowerListService/RemovePowerItem": .roles(.admin, kind: .change),
        "fazhi.v1.PowerListService/ReplacePowerListDraft": .roles(.admin, kind: .change),
        "fazhi.v1.PowerListService/PublishPowerList": .roles(.admin, kind: .change),

        // 行政相对人: officers record the parties of their acts; those who work on or
        // watch cases read them (persons' ID numbers masked).
        "fazhi.v1.PartyService/CreateParty": .roles(.officer, kind: .change),
        "fazhi.v1.PartyService/GetParty": .roles(.officer, .legalReviewer, .approver, .complianceOfficer, .auditor, kind: .read),
        "fazhi.v1.PartyService/ListParties": .roles(.officer, .legalReviewer, .approver, .complianceOfficer, .auditor, kind: .read),

        // 执法办案: officers act; legal reviewers review; approvers approve; those who
        // watch cases read them.
        "fazhi.v1.CaseService/OpenCase": .roles(.officer, kind: .change),
        "fazhi.v1.CaseService/TakeStep": .roles(.officer, kind: .change),
        "fazhi.v1.CaseService/ConfirmStep": .roles(.officer, kind: .change),
        "fazhi.v1.CaseService/Recuse": .roles(.officer, kind: .change),
        "fazhi.v1.CaseService/ReviewCase": .roles(.legalReviewer, kind: .change),
        "fazhi.v1.CaseService/ApproveCase": .roles(.approver, kind: .change),
        "fazhi.v1.CaseService/DecideCase": .roles(.officer, .approver, kind: .change),
        "fazhi.v1.CaseService/CloseCase": .roles(.officer, kind: .change),
        "fazhi.v1.CaseService/GetCase": .roles(.officer, .legalReviewer, .approver, .complianceOfficer, .auditor, kind: .read),
        "fazhi.v1.CaseService/ListCases": .roles(.officer, .legalReviewer, .approver, .complianceOfficer, .auditor, kind: .read),
        "fazhi.v1.CaseService/RecordFindings": .roles(.officer, kind: .change),
        "fazhi.v1.CaseService/VerifyRectification": .roles(.officer, kind: .change),
        "fazhi.v1.CaseService/ListOverdueRectifications": .roles(.officer, .approver, .complianceOfficer, .auditor, kind: .read),
        "fazhi.v1.CaseRecordService/UploadEvidence": .roles(.officer, kind: .upload),
        "fazhi.v1.CaseRecordService/DownloadEvidence": .roles(.officer, .legalReviewer, .approver, .auditor, kind: .read),
        "fazhi.v1.CaseRecordService/CorrectRecord": .roles(.officer, kind: .change),
    ]

    public enum Decision: Sendable, Equatable {
        case allowed
        /// The method needs a signed-in caller and there is none.
        case needsSignIn
        /// The caller's roles do not allow the method.
        case denied
        /// The method is not in the table: denied, whoever calls.
        case unknownMethod
    }

    public static func decide(method: String, roles: Set<Role>?) -> Decision {
        guard let rule = rules[method] else { return .unknownMethod }
        switch rule.callers {
        case .everyone:
            return .allowed
        case .signedIn:
            return roles == nil ? .needsSignIn : .allowed
        case .roles(let allowed):
            guard let roles else { return .needsSignIn }
            return roles.isDisjoint(with: allowed) ? .denied : .allowed
        }
    }
}
