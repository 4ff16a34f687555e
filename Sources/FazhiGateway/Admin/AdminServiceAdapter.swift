import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import SwiftProtobuf

/// `fazhi.v1.AdminService`.
struct AdminServiceAdapter: Fazhi_V1_AdminService.SimpleServiceProtocol {
    let administration: UserWork
    let clock: @Sendable () -> Date

    func listUsers(request: Fazhi_V1_ListUsersRequest, context: ServerContext) async throws -> Fazhi_V1_ListUsersResponse {
        let page = try Page(size: request.page.pageSize, token: request.page.pageToken)
        let role = request.role.isEmpty ? nil : try Role.parse(request.role)
        let users = try await administration.users(try CallScope.caller(), role: role, after: page.after, limit: page.size)
        return .with {
            $0.users = users.map(Fazhi_V1_User.init)
            $0.nextPageToken = page.nextToken(count: users.count, lastKey: users.last?.username)
        }
    }

    func getUser(request: Fazhi_V1_GetUserRequest, context: ServerContext) async throws -> Fazhi_V1_User {
        guard !request.username.isEmpty else { throw RequestField.missing("username", zh: "用户名") }
        return .init(try await administration.user(try CallScope.caller(), username: request.username))
    }

    func createUser(request: Fazhi_V1_CreateUserRequest, context: ServerContext) async throws -> Fazhi_V1_User {
        guard !request.username.isEmpty else { throw RequestField.missing("username", zh: "用户名") }
        guard !request.initialPassword.isEmpty else { throw RequestField.missing("initial_password", zh: "初始密码") }
        let roles = Set(try request.roles.map(Role.parse))
        return .init(
            try await administration.createUser(
                try CallScope.caller(), username: request.username, displayName: request.displayName,
                initialPassword: request.initialPassword, roles: roles, call: CallScope.call, now: clock()))
    }

    func setUserRoles(request: Fazhi_V1_SetUserRolesRequest, context: ServerContext) async throws -> Fazhi_V1_User {
        guard !request.username.isEmpty else { throw RequestField.missing("username", zh: "用户名") }
        let roles = Set(try request.roles.map(Role.parse))
        return .init(
            try await administration.setRoles(try CallScope.caller(), username: request.username, roles: roles, call: CallScope.call, now: clock()))
    }

    func disableUser(request: Fazhi_V1_DisableUserRequest, context: ServerContext) async throws -> Fazhi_V1_User {
        guard !request.username.isEmpty else { throw RequestField.missing("username", zh: "用户名") }
        return .init(
            try await administration.setDisabled(
                try CallScope.caller(), username: request.username, disabled: true, call: CallScope.call, now: clock()))
    }

    func enableUser(request: Fazhi_V1_EnableUserRequest, context: ServerContext) async throws -> Fazhi_V1_User {
        guard !request.username.isEmpty else { throw RequestField.missing("username", zh: "用户名") }
        return .init(
            try await administration.setDisabled(
                try CallScope.caller(), username: request.username, disabled: false, call: CallScope.call, now: clock()))
    }

    func listAgencies(request: Fazhi_V1_ListAgenciesRequest, context: ServerContext) async throws -> Fazhi_V1_ListAgenciesResponse {
        let page = try Page(size: request.page.pageSize, token: request.page.pageToken)
        let agencies = try await administration.agencies(after: page.after, limit: page.size)
        return .with {
            $0.agencies = agencies.map(Fazhi_V1_Agency.init)
            $0.nextPageToken = page.nextToken(count: agencies.count, lastKey: agencies.last?.code)
        }
    }

    func createAgency(request: Fazhi_V1_CreateAgencyRequest, context: ServerContext) async throws -> Fazhi_V1_Agency {
        .init(
            try await administration.createAgency(
                try CallScope.caller(), code: request.code, name: request.name, divisionCode: request.divisionCode,
                adminUsername: request.adminUsername, adminDisplayName: request.adminDisplayName,
                adminPassword: request.adminInitialPassword, call: CallScope.call, now: clock()))
    }
}
