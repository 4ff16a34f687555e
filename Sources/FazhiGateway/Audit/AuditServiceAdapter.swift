import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import SwiftProtobuf

/// `fazhi.v1.AuditService`: the caller's agency's log, newest first.
struct AuditServiceAdapter: Fazhi_V1_AuditService.SimpleServiceProtocol {
    let store: any TenantStore

    func listAuditEntries(request: Fazhi_V1_ListAuditEntriesRequest, context: ServerContext) async throws -> Fazhi_V1_ListAuditEntriesResponse {
        let caller = try CallScope.caller()
        let page = try Page(size: request.page.pageSize, token: request.page.pageToken)
        let after: Int64?
        if let text = page.after {
            guard let sequence = Int64(text) else {
                throw DomainError.invalidPageToken()
            }
            after = sequence
        } else {
            after = nil
        }
        let filter = AuditFilter(
            username: request.username.isEmpty ? nil : request.username,
            method: request.method.isEmpty ? nil : request.method.trimmingCharacters(in: CharacterSet(charactersIn: "/")),
            status: request.status.isEmpty ? nil : request.status,
            since: request.hasSince ? request.since.date : nil,
            until: request.hasUntil ? request.until.date : nil)
        let entries: [AuditRecord]
        if request.platform {
            guard caller.roles.contains(.platformAdmin) else {
                throw DomainError.platformAuditOnly
            }
            entries = try await store.platformAuditEntries(filter, after: after, limit: page.size)
        } else {
            entries = try await store.transaction(agency: caller.agency.id, .read) { tx in
                try await tx.auditEntries(filter, after: after, limit: page.size)
            }
        }
        return .with {
            $0.entries = entries.map(Fazhi_V1_AuditEntry.init)
            $0.nextPageToken = page.nextToken(count: entries.count, lastKey: entries.last?.sequence.map(String.init))
        }
    }
}
