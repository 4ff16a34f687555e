import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import SwiftProtobuf

extension Fazhi_V1_User {
    public init(_ user: UserRecord) {
        self = .with {
            $0.userID = user.id.uuidString.lowercased()
            $0.username = user.username
            $0.displayName = user.displayName
            $0.roles = user.roles.map(\.rawValue).sorted()
            $0.disabled = user.disabledAt != nil
            $0.createdAt = Google_Protobuf_Timestamp(date: user.createdAt)
        }
    }
}

extension Fazhi_V1_Agency {
    public init(_ agency: Agency) {
        self = .with {
            $0.code = agency.code
            $0.name = agency.name
            $0.divisionCode = agency.divisionCode
            $0.createdAt = Google_Protobuf_Timestamp(date: agency.createdAt)
        }
    }
}

extension Fazhi_V1_Caller {
    public init(_ caller: Caller) {
        self = .with {
            $0.agencyCode = caller.agency.code
            $0.agencyName = caller.agency.name
            $0.userID = caller.userID.uuidString.lowercased()
            $0.username = caller.username
            $0.displayName = caller.displayName
            $0.roles = caller.roles.map(\.rawValue).sorted()
            $0.authenticatedBy = caller.proof.rawValue
        }
    }
}
