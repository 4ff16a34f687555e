import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import SwiftProtobuf

extension Fazhi_V1_AuditEntry {
    public init(_ record: AuditRecord) {
        self = .with {
            $0.sequence = record.sequence ?? 0
            $0.time = Google_Protobuf_Timestamp(date: record.at)
            $0.agencyCode = record.agencyCode ?? ""
            $0.username = record.username ?? ""
            $0.roles = record.roles.map(\.rawValue)
            $0.method = record.method
            $0.targetIds = record.targetIDs
            $0.status = record.status
            $0.reason = record.reason ?? ""
            $0.peer = record.peer
            $0.requestID = record.requestID
            $0.durationMicros = record.durationMicroseconds
        }
    }
}
