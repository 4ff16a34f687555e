import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import SwiftProtobuf

extension Fazhi_V1_PowerListDraft {
    public func with(items: [PowerItem]) -> Self {
        var draft = self
        draft.items = items.map(Fazhi_V1_PowerItem.init)
        return draft
    }
}

extension Fazhi_V1_PowerList {
    public init(_ version: PowerListVersion, agency: Agency?) {
        self = .with {
            $0.agencyCode = agency?.code ?? ""
            $0.agencyName = agency?.name ?? ""
            $0.version = Int32(version.version)
            $0.publishedAt = Google_Protobuf_Timestamp(date: version.publishedAt)
            $0.publishedBy = version.publishedBy
            $0.reason = version.reason
            $0.items = version.items.map(Fazhi_V1_PowerItem.init)
        }
    }
}

extension Fazhi_V1_PowerItem {
    public init(_ item: PowerItem) {
        self = .with {
            $0.code = item.code
            $0.name = item.name
            $0.category = item.category.rawValue
            $0.enforcementCategory = item.enforcementCategory
            $0.legalBasis = item.legalBasis
            $0.unit = item.unit
            $0.major = item.major.rawValue
            $0.minimumOfficers = Int32(item.minimumOfficers)
            $0.published = item.published
            $0.disclosureWorkingDays = Int32(item.disclosureWorkingDays ?? 0)
        }
    }
}

extension PowerItem {
    /// From the wire; the domain's `validated` checks the rest.
    public init(_ message: Fazhi_V1_PowerItem) throws {
        guard !message.code.isEmpty else { throw RequestField.missing("item.code", zh: "事项编码") }
        guard let major = PowerItem.Major(rawValue: message.major) else {
            throw DomainError.majorInvalid(item: message.code)
        }
        self.init(
            code: message.code, name: message.name, category: try PowerItem.Category.parse(message.category),
            enforcementCategory: message.enforcementCategory, legalBasis: message.legalBasis, unit: message.unit, major: major,
            minimumOfficers: Int(message.minimumOfficers), published: message.published,
            disclosureWorkingDays: message.disclosureWorkingDays == 0 ? nil : Int(message.disclosureWorkingDays))
    }
}
