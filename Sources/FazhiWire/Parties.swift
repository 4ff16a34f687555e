import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import SwiftProtobuf

extension Fazhi_V1_Party {
    public init(_ party: Party) {
        self = .with {
            $0.partyID = party.id.uuidString.lowercased()
            $0.kind = party.kind.rawValue
            $0.name = party.name
            $0.creditCode = party.creditCode ?? ""
            $0.institutionType = party.institutionType?.rawValue ?? ""
            $0.capacity = Int32(party.capacity ?? 0)
            $0.idNumber = party.idNumberMasked ?? ""
            $0.area = party.area.code
            $0.createdAt = Google_Protobuf_Timestamp(date: party.createdAt)
        }
    }
}
