import Foundation

/// 行政相对人: the party an act concerns. Organizations and institutions are public by
/// name; a natural person's ID number is personal data (sealed, shown masked).
public struct Party: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// 社会组织、企业: identified by the unified social credit code.
        case organization
        /// 机构 such as an elderly care institution 养老机构, with its type and capacity.
        case institution
        /// 自然人: identified by the resident ID number.
        case person
    }

    /// Types of institution the inspection checklists know.
    public enum InstitutionType: String, Sendable, CaseIterable, Codable {
        /// 养老机构.
        case elderlyCare = "elderly_care"
        /// 儿童福利机构.
        case childWelfare = "child_welfare"
        /// 殡葬服务机构.
        case funeral
        /// 救助管理机构.
        case reliefStation = "relief_station"
        case other
    }

    public var id: UUID
    public var kind: Kind
    public var name: String
    public var creditCode: String?
    public var institutionType: InstitutionType?
    /// Beds or places, for institutions.
    public var capacity: Int?
    public var idNumberSealed: Data?
    public var idNumberMasked: String?
    /// The division the party is registered in or lives in.
    public var area: DivisionCode
    public var createdAt: Date

    public init(
        id: UUID, kind: Kind, name: String, creditCode: String?, institutionType: InstitutionType?, capacity: Int?,
        idNumberSealed: Data?, idNumberMasked: String?, area: DivisionCode, createdAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.creditCode = creditCode
        self.institutionType = institutionType
        self.capacity = capacity
        self.idNumberSealed = idNumberSealed
        self.idNumberMasked = idNumberMasked
        self.area = area
        self.createdAt = createdAt
    }
}

/// A party about to be recorded: checked, the ID number sealed.
public struct NewParty: Sendable {
    public var kind: Party.Kind
    public var name: String
    public var creditCode: String?
    public var institutionType: Party.InstitutionType?
    public var capacity: Int?
    public var idNumberSealed: Data?
    public var idNumberIndex: Data?
    public var idNumberMasked: String?
    public var area: DivisionCode

    /// The rules of each kind: an organization has a credit code; an institution a credit
    /// code, a type and a capacity; a person a resident ID number and nothing else.
    public init(
        kind: Party.Kind, name: String, creditCode: String?, institutionType: Party.InstitutionType?, capacity: Int?,
        idNumber: String?, area: DivisionCode, keys: PersonalDataKeys
    ) throws {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard (1...200).contains(name.count) else {
            throw DomainError.partyNameLength
        }
        self.kind = kind
        self.name = name
        self.area = area
        switch kind {
        case .organization, .institution:
            guard let creditCode, !creditCode.isEmpty else {
                throw DomainError.organizationNeedsCreditCode
            }
            guard idNumber?.isEmpty ?? true else {
                throw DomainError.organizationHasNoIDNumber
            }
            self.creditCode = try UnifiedSocialCreditCode(creditCode).value
            if kind == .institution {
                guard let institutionType else {
                    throw DomainError.institutionTypeMissing
                }
                guard let capacity, (0...100_000).contains(capacity) else {
                    throw DomainError.capacityOutOfRange
                }
                self.institutionType = institutionType
                self.capacity = capacity
            } else if institutionType != nil || capacity != nil {
                throw DomainError.onlyInstitutionsHaveType
            }
        case .person:
            guard let idNumber, !idNumber.isEmpty else {
                throw DomainError.personNeedsIDNumber
            }
            guard creditCode?.isEmpty ?? true, institutionType == nil, capacity == nil else {
                throw DomainError.personHasNoOrganizationFields
            }
            let number = try ResidentIDNumber(idNumber)
            idNumberSealed = try keys.seal(number.value)
            idNumberIndex = keys.index(number.value)
            idNumberMasked = number.masked
        }
    }
}
