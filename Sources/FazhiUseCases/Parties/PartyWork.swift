import FazhiRules
import Foundation

/// 行政相对人登记: officers record the parties of their cases; readers see persons' ID
/// numbers masked (the officers of a case will see their parties' once cases exist).
public struct PartyWork: Sendable {
    public let store: any TenantStore
    public let keys: PersonalDataKeys

    public init(store: any TenantStore, keys: PersonalDataKeys) {
        self.store = store
        self.keys = keys
    }

    public struct Input: Sendable {
        public var kind: Party.Kind
        public var name: String
        public var creditCode: String?
        public var institutionType: Party.InstitutionType?
        public var capacity: Int?
        public var idNumber: String?
        /// A division code; nil means the agency's own.
        public var area: String?

        public init(
            kind: Party.Kind, name: String, creditCode: String?, institutionType: Party.InstitutionType?, capacity: Int?, idNumber: String?,
            area: String?
        ) {
            self.kind = kind
            self.name = name
            self.creditCode = creditCode
            self.institutionType = institutionType
            self.capacity = capacity
            self.idNumber = idNumber
            self.area = area
        }
    }

    public func create(_ caller: Caller, _ input: Input, call: CallAudit, now: Date) async throws -> Party {
        let party = try NewParty(
            kind: input.kind, name: input.name, creditCode: input.creditCode, institutionType: input.institutionType,
            capacity: input.capacity, idNumber: input.idNumber,
            area: try DivisionCode(input.area.flatMap { $0.isEmpty ? nil : $0 } ?? caller.agency.divisionCode), keys: keys)
        let created = try await store.change(agency: caller.agency.id, call: call, at: now) { tx in
            let created = try await tx.parties.insert(party, by: caller.userID, at: now)
            call.target("party:\(created.id.uuidString.lowercased())")
            return created
        }
        return created
    }

    public func party(_ caller: Caller, id: UUID) async throws -> Party {
        guard let party = try await store.transaction(agency: caller.agency.id, .read, { try await $0.parties.party(id: id) }) else {
            throw DomainError.noSuchParty
        }
        return party
    }

    public func search(
        _ caller: Caller, nameContains: String?, kind: Party.Kind?, after: (name: String, id: UUID)?, limit: Int
    ) async throws -> [Party] {
        if let nameContains, nameContains.count > 100 {
            throw DomainError.searchTextTooLong
        }
        return try await store.transaction(agency: caller.agency.id, .read) { tx in
            try await tx.parties.parties(nameContains: nameContains.flatMap { $0.isEmpty ? nil : $0 }, kind: kind, after: after, limit: limit)
        }
    }
}
