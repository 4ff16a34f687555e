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

@Suite(.timeLimit(.minutes(3))) struct AuditTests {
    @Test func everyCallLeavesExactlyOneRowAndNoSecret() async throws {
        try await GatewayHarness.with { harness in
            let secrets = Locked<[String]>([GatewayHarness.adminPassword])
            try await harness.withClient { client in
                let auth = Fazhi_V1_AuthService.Client(wrapping: client)
                let admin = Fazhi_V1_AdminService.Client(wrapping: client)
                let audit = Fazhi_V1_AuditService.Client(wrapping: client)
                let token = try await harness.login(client)  // 1 OK
                secrets.withLock { $0.append(token) }
                _ = try? await harness.login(client, password: "Wrong-Secret-1")  // 2 UNAUTHENTICATED
                secrets.withLock { $0.append("Wrong-Secret-1") }
                _ = try? await auth.whoAmI(.init())  // 3 UNAUTHENTICATED (platform: no agency)
                _ = try? await auth.whoAmI(.init(), metadata: bearer("NO-SUCH." + String(repeating: "B", count: 43)))  // 4 platform
                let officerPassword = try await harness.createUser(client, adminToken: token, username: "zhang.san", roles: [.officer])  // 5 OK
                secrets.withLock { $0.append(officerPassword) }
                let officer = try await harness.login(client, username: "zhang.san", password: officerPassword)  // 6 OK
                secrets.withLock { $0.append(officer) }
                _ = try? await admin.listUsers(.init(), metadata: bearer(officer))  // 7 PERMISSION_DENIED
                _ = try? await admin.createUser(
                    .with {
                        $0.username = "Bad Name"
                        $0.initialPassword = "Whatever-Secret-9"
                    }, metadata: bearer(token))  // 8 INVALID_ARGUMENT
                secrets.withLock { $0.append("Whatever-Secret-9") }
                _ = try await auth.changePassword(
                    .with {
                        $0.currentPassword = officerPassword
                        $0.newPassword = "Brand-New-Secret-7"
                    }, metadata: bearer(officer))  // 9 OK
                secrets.withLock { $0.append("Brand-New-Secret-7") }
                // 10 OK (its own row comes after)
                let page = try await audit.listAuditEntries(.with { $0.page.pageSize = 100 }, metadata: bearer(token))
                #expect(page.entries.count == 7, "the agency's rows before this call")
                #expect(page.entries.first?.method == "fazhi.v1.AuthService/ChangePassword", "newest first")
            }
            let rows = try await harness.auditRows()
            #expect(
                rows.map(\.method) == [
                    "fazhi.v1.AuthService/Login", "fazhi.v1.AuthService/Login", "fazhi.v1.AdminService/CreateUser", "fazhi.v1.AuthService/Login",
                    "fazhi.v1.AdminService/ListUsers", "fazhi.v1.AdminService/CreateUser", "fazhi.v1.AuthService/ChangePassword",
                    "fazhi.v1.AuditService/ListAuditEntries",
                ])
            #expect(rows.map(\.status) == ["OK", "UNAUTHENTICATED", "OK", "OK", "PERMISSION_DENIED", "INVALID_ARGUMENT", "OK", "OK"])
            let platform = try await harness.platformAuditRows()
            #expect(platform.map(\.method) == ["fazhi.v1.AuthService/WhoAmI", "fazhi.v1.AuthService/WhoAmI"])
            #expect(platform.allSatisfy { $0.status == "UNAUTHENTICATED" })

            // Nothing secret in any column of any audit row, or in any log line.
            let owner = try await harness.database.ownerConnection()
            let dump: [String] = try await owner.transaction(TransactionOptions(agencyID: try await harness.agencyID())) { connection in
                let agency = try await connection.query("SELECT l::text FROM agency_audit_log l").map { try $0.decode(String.self, at: 0) }
                let platform = try await connection.query("SELECT l::text FROM platform_audit_log l").map { try $0.decode(String.self, at: 0) }
                return agency + platform
            }
            owner.close()
            let logs = harness.logs.all
            #expect(logs.count >= 10, "one log line per call")
            for secret in secrets.current {
                let tail = String(secret.suffix(20))  // a token's random part, or a password
                #expect(!dump.contains { $0.contains(tail) }, "a secret reached the audit log")
                #expect(!logs.contains { $0.contains(tail) }, "a secret reached the log")
            }
        }
    }
}
