import FazhiRules
import Foundation

extension TenantStore {
    /// Runs a change in one transaction of `agency` whose last write is the call's audit
    /// row, so the change and its audit commit together (docs/ARCHITECTURE.md, "A request, end
    /// to end"); then marks the call audited.
    public func change<T: Sendable>(
        agency: UUID, call: CallAudit, at now: Date,
        _ body: @escaping @Sendable (any TenantTransaction) async throws -> T
    ) async throws -> T {
        let result = try await transaction(agency: agency, readOnly: false) { tx in
            let result = try await body(tx)
            try await tx.appendAudit(call.record(status: "OK", reason: nil, now: now))
            return result
        }
        call.markWritten()
        return result
    }
}
