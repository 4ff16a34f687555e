import FazhiRules
import FazhiUseCases
import FazhiWire

/// Writes a call's audit row in a transaction of its own: in the agency's log when the
/// agency is known, otherwise in the platform log.
struct AuditWriter: Sendable {
    let store: any TenantStore

    func write(_ record: AuditRecord) async throws {
        if let agency = record.agencyID {
            try await store.appendAudit(record, agency: agency)
        } else {
            try await store.appendPlatformAudit(record)
        }
    }
}
