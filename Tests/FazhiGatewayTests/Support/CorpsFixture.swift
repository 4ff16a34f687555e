import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// An agency with a credential administrator, two officers with sign-in accounts (李 with
/// an issued credential, 王 with an application), and an auditor, all made over the RPCs.
struct CorpsFixture: Sendable {
    /// Made-up resident ID numbers with valid check characters.
    static let liIDNumber = CorpsFixture.idNumber("41120219850315021")
    static let wangIDNumber = CorpsFixture.idNumber("41120219900101033")
    static let liContact = "13912345678"

    let adminToken: String
    let credentialAdminToken: String
    let liToken: String
    let wangToken: String
    let auditorToken: String
    let liOfficerID: String
    let wangOfficerID: String
    let liCredential: Fazhi_V1_Credential
    let wangApplication: Fazhi_V1_Credential

    static func idNumber(_ body: String) -> String {
        body + String(ResidentIDNumber.checkCharacter(for: body.map { Int(String($0))! }))
    }

    static func make(_ harness: GatewayHarness, _ client: GRPCClient<HTTP2ClientTransport.Posix>) async throws -> CorpsFixture {
        let adminToken = try await harness.login(client)
        func user(_ name: String, _ roles: [Role]) async throws -> String {
            let password = try await harness.createUser(client, adminToken: adminToken, username: name, roles: roles)
            return try await harness.login(client, username: name, password: password)
        }
        let credentialAdminToken = try await user("zhang", [.credentialAdmin])
        let liToken = try await user("li", [.officer])
        let wangToken = try await user("wang", [.officer])
        let auditorToken = try await user("zhao", [.auditor])
        let service = Fazhi_V1_CredentialService.Client(wrapping: client)
        let asAdmin = bearer(credentialAdminToken)
        let today = Moment(instant: harness.clock.now).day

        let li = try await service.createOfficer(
            .with {
                $0.name = "李明"
                $0.unit = "社会组织管理科"
                $0.position = "科员"
                $0.idNumber = liIDNumber
                $0.contact = liContact
                $0.username = "li"
            }, metadata: asAdmin)
        let wang = try await service.createOfficer(
            .with {
                $0.name = "王芳"
                $0.unit = "养老服务科"
                $0.position = "副科长"
                $0.idNumber = wangIDNumber
                $0.username = "wang"
            }, metadata: asAdmin)
        for officer in [li, wang] {
            _ = try await service.recordExamResult(
                .with {
                    $0.officerID = officer.officerID
                    $0.day = today.adding(days: -20).description
                    $0.score = 82
                }, metadata: asAdmin)
        }
        let application = try await service.applyForCredential(
            .with {
                $0.officerID = li.officerID
                $0.categories = ["社会组织管理", "慈善"]
                $0.reason = "新任执法人员"
            }, metadata: asAdmin)
        let issued = try await service.issueCredential(
            .with {
                $0.credentialID = application.credentialID
                $0.reason = "经审核符合条件"
            }, metadata: asAdmin)
        let wangApplication = try await service.applyForCredential(
            .with {
                $0.officerID = wang.officerID
                $0.categories = ["养老服务"]
                $0.areas = ["411202"]
            }, metadata: asAdmin)
        return CorpsFixture(
            adminToken: adminToken, credentialAdminToken: credentialAdminToken, liToken: liToken, wangToken: wangToken,
            auditorToken: auditorToken, liOfficerID: li.officerID, wangOfficerID: wang.officerID,
            liCredential: issued, wangApplication: wangApplication)
    }
}
