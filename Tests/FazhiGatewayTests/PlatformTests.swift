import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

@Suite(.timeLimit(.minutes(3))) struct PlatformTests {
    @Test func thePlatformAdministratorCreatesAnAgencyWhoseAdminSignsIn() async throws {
        try await GatewayHarness.with { harness in
            let operatorPassword = try await platformAdmin(harness)
            try await harness.withClient { client in
                let admin = Fazhi_V1_AdminService.Client(wrapping: client)
                let token = try await harness.login(client, username: "operator", password: operatorPassword, agency: "platform")
                let created = try await admin.createAgency(
                    .with {
                        $0.code = "411203-MZ"
                        $0.name = "陕州区民政局"
                        $0.divisionCode = "411203"
                        $0.adminUsername = "admin"
                        $0.adminDisplayName = "管理员"
                        $0.adminInitialPassword = "Shanzhou-Passw0rd"
                    }, metadata: bearer(token))
                #expect(created.code == "411203-MZ")
                let taken = await #expect(throws: RPCError.self) {
                    _ = try await admin.createAgency(
                        .with {
                            $0.code = "411203-MZ"
                            $0.name = "重复"
                            $0.divisionCode = "411203"
                            $0.adminUsername = "admin"
                            $0.adminDisplayName = "管理员"
                            $0.adminInitialPassword = "Shanzhou-Passw0rd"
                        }, metadata: bearer(token))
                }
                #expect(taken?.reason == "ALREADY_EXISTS")
                let codes = try await admin.listAgencies(.init(), metadata: bearer(token)).agencies.map(\.code)
                #expect(codes == ["411202-MZ", "411203-MZ", "platform"])

                // The new agency's admin signs in there and sees only its own users.
                let other = try await harness.login(client, username: "admin", password: "Shanzhou-Passw0rd", agency: "411203-MZ")
                let users = try await admin.listUsers(.init(), metadata: bearer(other)).users
                #expect(users.map(\.username) == ["admin"])
                let me = try await Fazhi_V1_AuthService.Client(wrapping: client).whoAmI(.init(), metadata: bearer(other)).caller
                #expect(me.agencyName == "陕州区民政局")
                // An agency admin cannot grant platform_admin.
                let grant = await #expect(throws: RPCError.self) {
                    _ = try await admin.setUserRoles(
                        .with {
                            $0.username = "admin"
                            $0.roles = ["admin", "platform_admin"]
                        }, metadata: bearer(other))
                }
                #expect(grant?.reason == "INVALID_ARGUMENT")
            }
        }
    }

    @Test func aCallWhoseAuditRowCannotBeWrittenFails() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let token = try await harness.login(client)
                let owner = try await harness.database.ownerConnection()
                try await owner.simpleQuery("REVOKE INSERT ON agency_audit_log FROM fazhi_app")
                let auth = Fazhi_V1_AuthService.Client(wrapping: client)
                let read = await #expect(throws: RPCError.self) { _ = try await auth.whoAmI(.init(), metadata: bearer(token)) }
                #expect(read?.code == .internalError)
                #expect(read?.reason == "INTERNAL")
                #expect(read?.message.contains("permission") == false, "no internals reach the client")
                // A change whose audit row fails is not applied either.
                let admin = Fazhi_V1_AdminService.Client(wrapping: client)
                let change = await #expect(throws: RPCError.self) {
                    _ = try await admin.createUser(
                        .with {
                            $0.username = "qian.jiu"
                            $0.displayName = "钱九"
                            $0.initialPassword = "Qian-Jiu-Passw0rd"
                        }, metadata: bearer(token))
                }
                #expect(change?.code == .internalError)
                try await owner.simpleQuery("GRANT INSERT ON agency_audit_log TO fazhi_app")
                owner.close()
                let missing = await #expect(throws: RPCError.self) {
                    _ = try await admin.getUser(.with { $0.username = "qian.jiu" }, metadata: bearer(token))
                }
                #expect(missing?.reason == "NOT_FOUND")
                #expect(harness.logs.all.contains { $0.contains("incident") }, "the operator finds the incident in the log")
            }
        }
    }
}
