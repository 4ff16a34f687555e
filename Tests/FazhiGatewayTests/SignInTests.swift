import FazhiGateway
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

@Suite(.timeLimit(.minutes(3))) struct SignInTests {
    @Test func loginRightAndWrong() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let auth = Fazhi_V1_AuthService.Client(wrapping: client)
                let token = try await harness.login(client)
                #expect(token.hasPrefix("411202-MZ."))
                let me = try await auth.whoAmI(.init(), metadata: bearer(token)).caller
                #expect(me.username == "admin")
                #expect(me.agencyCode == "411202-MZ")
                #expect(me.agencyName == "湖滨区民政局")
                #expect(me.roles == ["admin"])
                #expect(me.authenticatedBy == "session")

                let wrong = await #expect(throws: RPCError.self) { _ = try await harness.login(client, password: "not-the-password") }
                #expect(wrong?.code == .unauthenticated)
                #expect(wrong?.reason == "INVALID_CREDENTIALS")
                #expect(wrong?.localizedMessages["zh-CN"]?.isEmpty == false)
                #expect(wrong?.localizedMessages["en"]?.isEmpty == false)
                // An unknown user and an unknown agency answer exactly the same.
                let unknown = await #expect(throws: RPCError.self) { _ = try await harness.login(client, username: "nobody") }
                #expect(unknown?.code == wrong?.code && unknown?.reason == wrong?.reason && unknown?.message == wrong?.message)
                let noAgency = await #expect(throws: RPCError.self) { _ = try await harness.login(client, agency: "NO-SUCH") }
                #expect(noAgency?.code == wrong?.code && noAgency?.reason == wrong?.reason && noAgency?.message == wrong?.message)
            }
            // The unknown agency's attempt is in the platform log; the others in the agency's.
            let platform = try await harness.platformAuditRows()
            #expect(
                platform.contains { $0.method == "fazhi.v1.AuthService/Login" && $0.status == "UNAUTHENTICATED" && $0.claimedAgency == "NO-SUCH" })
            let rows = try await harness.auditRows()
            #expect(
                rows.map(\.method) == [
                    "fazhi.v1.AuthService/Login", "fazhi.v1.AuthService/WhoAmI",
                    "fazhi.v1.AuthService/Login", "fazhi.v1.AuthService/Login",
                ])
            #expect(rows.map(\.status) == ["OK", "OK", "UNAUTHENTICATED", "UNAUTHENTICATED"])
            #expect(rows[2].reason == "INVALID_CREDENTIALS" && rows[3].username == "nobody")
        }
    }

    @Test func lockoutAndItsEndAreTheSameForKnownAndUnknownNames() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                for name in ["admin", "ghost"] {
                    for attempt in 1...5 {
                        let error = await #expect(throws: RPCError.self) {
                            _ = try await harness.login(client, username: name, password: "wrong-\(attempt)")
                        }
                        #expect(error?.reason == (attempt < 5 ? "INVALID_CREDENTIALS" : "ACCOUNT_LOCKED"), "\(name) attempt \(attempt)")
                    }
                    // Locked: even the right password is refused, with the same answer for both names.
                    let locked = await #expect(throws: RPCError.self) {
                        _ = try await harness.login(client, username: name, password: GatewayHarness.adminPassword)
                    }
                    #expect(locked?.code == .unauthenticated)
                    #expect(locked?.reason == "ACCOUNT_LOCKED")
                }
                // The lock ends after login.lockout_minutes (15 by default).
                harness.clock.advance(by: 16 * 60)
                let token = try await harness.login(client)
                #expect(!token.isEmpty)
                let stillUnknown = await #expect(throws: RPCError.self) { _ = try await harness.login(client, username: "ghost") }
                #expect(stillUnknown?.reason == "INVALID_CREDENTIALS")
            }
        }
    }

    @Test func expiredAndRevokedTokensAreRefused() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let auth = Fazhi_V1_AuthService.Client(wrapping: client)
                // Logout ends the session at once.
                let first = try await harness.login(client)
                _ = try await auth.logout(.init(), metadata: bearer(first))
                let afterLogout = await #expect(throws: RPCError.self) { _ = try await auth.whoAmI(.init(), metadata: bearer(first)) }
                #expect(afterLogout?.reason == "SESSION_EXPIRED")

                // Idle expiry: 30 minutes without a call.
                let idle = try await harness.login(client)
                harness.clock.advance(by: 29 * 60)
                _ = try await auth.whoAmI(.init(), metadata: bearer(idle))
                harness.clock.advance(by: 29 * 60)
                _ = try await auth.whoAmI(.init(), metadata: bearer(idle))
                harness.clock.advance(by: 31 * 60)
                let idled = await #expect(throws: RPCError.self) { _ = try await auth.whoAmI(.init(), metadata: bearer(idle)) }
                #expect(idled?.reason == "SESSION_EXPIRED")

                // Absolute expiry: 12 hours, however busy.
                let busy = try await harness.login(client)
                for _ in 0..<25 {
                    harness.clock.advance(by: 29 * 60)
                    _ = try? await auth.whoAmI(.init(), metadata: bearer(busy))
                }
                let absolute = await #expect(throws: RPCError.self) { _ = try await auth.whoAmI(.init(), metadata: bearer(busy)) }
                #expect(absolute?.reason == "SESSION_EXPIRED")

                // A made-up token, and none at all.
                let forged = await #expect(throws: RPCError.self) {
                    _ = try await auth.whoAmI(.init(), metadata: bearer("411202-MZ." + String(repeating: "A", count: 43)))
                }
                #expect(forged?.reason == "AUTHENTICATION_REQUIRED")
                let none = await #expect(throws: RPCError.self) { _ = try await auth.whoAmI(.init()) }
                #expect(none?.code == .unauthenticated)
                #expect(none?.reason == "AUTHENTICATION_REQUIRED")
            }
        }
    }

    @Test func disablingAUserEndsTheirSessionsAtOnce() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let auth = Fazhi_V1_AuthService.Client(wrapping: client)
                let admin = Fazhi_V1_AdminService.Client(wrapping: client)
                let adminToken = try await harness.login(client)
                let password = try await harness.createUser(client, adminToken: adminToken, username: "li.si", roles: [.officer])
                let token = try await harness.login(client, username: "li.si", password: password)
                _ = try await auth.whoAmI(.init(), metadata: bearer(token))
                let disabled = try await admin.disableUser(
                    .with {
                        $0.username = "li.si"
                        $0.reason = "left the bureau"
                    }, metadata: bearer(adminToken))
                #expect(disabled.disabled)
                let refused = await #expect(throws: RPCError.self) { _ = try await auth.whoAmI(.init(), metadata: bearer(token)) }
                #expect(refused?.reason == "SESSION_EXPIRED")
                let noLogin = await #expect(throws: RPCError.self) { _ = try await harness.login(client, username: "li.si", password: password) }
                #expect(noLogin?.reason == "INVALID_CREDENTIALS")
            }
        }
    }

    @Test func changingThePasswordFollowsTheRulesAndEndsOtherSessions() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let auth = Fazhi_V1_AuthService.Client(wrapping: client)
                let other = try await harness.login(client)
                let token = try await harness.login(client)
                let short = await #expect(throws: RPCError.self) {
                    _ = try await auth.changePassword(
                        .with {
                            $0.currentPassword = GatewayHarness.adminPassword
                            $0.newPassword = "short"
                        }, metadata: bearer(token))
                }
                #expect(short?.code == .invalidArgument)
                #expect(short?.reason == "PASSWORD_POLICY")
                let newPassword = "Another-Passw0rd-2026"
                _ = try await auth.changePassword(
                    .with {
                        $0.currentPassword = GatewayHarness.adminPassword
                        $0.newPassword = newPassword
                    }, metadata: bearer(token))
                _ = try await auth.whoAmI(.init(), metadata: bearer(token))
                let ended = await #expect(throws: RPCError.self) { _ = try await auth.whoAmI(.init(), metadata: bearer(other)) }
                #expect(ended?.reason == "SESSION_EXPIRED")
                _ = try await harness.login(client, password: newPassword)
            }
        }
    }
}
