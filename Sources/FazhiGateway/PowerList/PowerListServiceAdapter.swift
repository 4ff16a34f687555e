import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import SwiftProtobuf

/// `fazhi.v1.PowerListService`: the power list, public when published.
struct PowerListServiceAdapter: Fazhi_V1_PowerListService.SimpleServiceProtocol {
    let administration: PowerListWork
    let clock: @Sendable () -> Date

    func getPowerList(request: Fazhi_V1_GetPowerListRequest, context: ServerContext) async throws -> Fazhi_V1_PowerList {
        guard !request.agencyCode.isEmpty else { throw RequestField.missing("agency_code", zh: "机构代码") }
        guard request.version >= 0 else {
            throw DomainError.versionNegative
        }
        let (agency, version) = try await administration.published(
            agencyCode: request.agencyCode, version: request.version == 0 ? nil : Int(request.version))
        return .init(version, agency: agency)
    }

    func listPowerListVersions(
        request: Fazhi_V1_ListPowerListVersionsRequest, context: ServerContext
    ) async throws -> Fazhi_V1_ListPowerListVersionsResponse {
        guard !request.agencyCode.isEmpty else { throw RequestField.missing("agency_code", zh: "机构代码") }
        let versions = try await administration.versions(agencyCode: request.agencyCode)
        return .with { $0.versions = versions.map { Fazhi_V1_PowerList($0, agency: nil) } }
    }

    func getPowerListDraft(request: Fazhi_V1_GetPowerListDraftRequest, context: ServerContext) async throws -> Fazhi_V1_PowerListDraft {
        Fazhi_V1_PowerListDraft().with(items: try await administration.draft(try CallScope.caller()))
    }

    func putPowerItem(request: Fazhi_V1_PutPowerItemRequest, context: ServerContext) async throws -> Fazhi_V1_PowerItem {
        guard request.hasItem else { throw RequestField.missing("item", zh: "事项") }
        return .init(try await administration.putItem(try CallScope.caller(), try PowerItem(request.item), call: CallScope.call, now: clock()))
    }

    func removePowerItem(request: Fazhi_V1_RemovePowerItemRequest, context: ServerContext) async throws -> Fazhi_V1_PowerListDraft {
        guard !request.code.isEmpty else { throw RequestField.missing("code", zh: "事项编码") }
        let caller = try CallScope.caller()
        try await administration.removeItem(caller, code: request.code, call: CallScope.call, now: clock())
        return Fazhi_V1_PowerListDraft().with(items: try await administration.draft(caller))
    }

    func replacePowerListDraft(request: Fazhi_V1_ReplacePowerListDraftRequest, context: ServerContext) async throws -> Fazhi_V1_PowerListDraft {
        guard request.items.count <= 2000 else {
            throw DomainError.tooManyItems
        }
        let items = try await administration.replaceDraft(
            try CallScope.caller(), try request.items.map(PowerItem.init), call: CallScope.call, now: clock())
        return Fazhi_V1_PowerListDraft().with(items: items)
    }

    func publishPowerList(request: Fazhi_V1_PublishPowerListRequest, context: ServerContext) async throws -> Fazhi_V1_PowerList {
        let caller = try CallScope.caller()
        return .init(try await administration.publish(caller, reason: request.reason, call: CallScope.call, now: clock()), agency: caller.agency)
    }
}
