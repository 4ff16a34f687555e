import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import SwiftProtobuf

/// `fazhi.v1.PartyService`: the parties of enforcement acts.
struct PartyServiceAdapter: Fazhi_V1_PartyService.SimpleServiceProtocol {
    let registry: PartyWork
    let clock: @Sendable () -> Date

    func createParty(request: Fazhi_V1_CreatePartyRequest, context: ServerContext) async throws -> Fazhi_V1_Party {
        guard !request.kind.isEmpty else { throw RequestField.missing("kind", zh: "当事人类别") }
        guard !request.name.isEmpty else { throw RequestField.missing("name", zh: "名称") }
        let input = PartyWork.Input(
            kind: try Self.kind(request.kind), name: request.name, creditCode: request.creditCode.isEmpty ? nil : request.creditCode,
            institutionType: request.institutionType.isEmpty ? nil : try Self.institutionType(request.institutionType),
            capacity: request.institutionType.isEmpty && request.capacity == 0 ? nil : Int(request.capacity),
            idNumber: request.idNumber.isEmpty ? nil : request.idNumber, area: request.area)
        return .init(try await registry.create(try CallScope.caller(), input, call: CallScope.call, now: clock()))
    }

    func getParty(request: Fazhi_V1_GetPartyRequest, context: ServerContext) async throws -> Fazhi_V1_Party {
        let id = try RequestField.identifier(request.partyID, field: "party_id", zh: "当事人编号")
        CallScope.call.target("party:\(id.uuidString.lowercased())")
        return .init(try await registry.party(try CallScope.caller(), id: id))
    }

    func listParties(request: Fazhi_V1_ListPartiesRequest, context: ServerContext) async throws -> Fazhi_V1_ListPartiesResponse {
        let page = try Page(size: request.page.pageSize, token: request.page.pageToken)
        let after = try page.afterNameAndID()
        let parties = try await registry.search(
            try CallScope.caller(), nameContains: request.nameContains,
            kind: request.kind.isEmpty ? nil : try Self.kind(request.kind), after: after, limit: page.size)
        return .with {
            $0.parties = parties.map(Fazhi_V1_Party.init)
            $0.nextPageToken = page.nextToken(count: parties.count, lastName: parties.last?.name, lastID: parties.last?.id)
        }
    }

    static func kind(_ text: String) throws -> Party.Kind {
        guard let kind = Party.Kind(rawValue: text) else {
            throw DomainError.notOneOf(field: "kind", label: "当事人类别", allowed: ["organization", "institution", "person"])
        }
        return kind
    }

    static func institutionType(_ text: String) throws -> Party.InstitutionType {
        guard let type = Party.InstitutionType(rawValue: text) else {
            throw DomainError.unknownInstitutionType(text, allowed: Party.InstitutionType.allCases.map(\.rawValue))
        }
        return type
    }
}
