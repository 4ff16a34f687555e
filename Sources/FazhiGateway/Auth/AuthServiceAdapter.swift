import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import SwiftProtobuf

/// `fazhi.v1.AuthService`: protobuf in, domain call, protobuf out.
struct AuthServiceAdapter: Fazhi_V1_AuthService.SimpleServiceProtocol {
    let identity: IdentityWork
    let clock: @Sendable () -> Date

    func login(request: Fazhi_V1_LoginRequest, context: ServerContext) async throws -> Fazhi_V1_LoginResponse {
        guard !request.agencyCode.isEmpty else { throw RequestField.missing("agency_code", zh: "机构代码") }
        guard !request.username.isEmpty else { throw RequestField.missing("username", zh: "用户名") }
        guard !request.password.isEmpty else { throw RequestField.missing("password", zh: "密码") }
        let signedIn = try await identity.login(
            agencyCode: request.agencyCode, username: request.username, password: request.password,
            peer: CallScope.call.peer, call: CallScope.call, now: clock())
        return .with {
            $0.token = signedIn.token.text
            $0.expiresAt = Google_Protobuf_Timestamp(date: signedIn.expiresAt)
            $0.caller = .init(signedIn.caller)
        }
    }

    func logout(request: Fazhi_V1_LogoutRequest, context: ServerContext) async throws -> Fazhi_V1_LogoutResponse {
        try await identity.logout(try CallScope.caller(), call: CallScope.call, now: clock())
        return .init()
    }

    func whoAmI(request: Fazhi_V1_WhoAmIRequest, context: ServerContext) async throws -> Fazhi_V1_WhoAmIResponse {
        let caller = try CallScope.caller()
        return .with { $0.caller = .init(caller) }
    }

    func changePassword(request: Fazhi_V1_ChangePasswordRequest, context: ServerContext) async throws -> Fazhi_V1_ChangePasswordResponse {
        guard !request.currentPassword.isEmpty else { throw RequestField.missing("current_password", zh: "当前密码") }
        guard !request.newPassword.isEmpty else { throw RequestField.missing("new_password", zh: "新密码") }
        try await identity.changePassword(
            try CallScope.caller(), current: request.currentPassword, new: request.newPassword,
            call: CallScope.call, now: clock())
        return .init()
    }
}
