import FazhiRules
import Foundation

/// Keeps the evidence store free of files no case refers to: uploads abandoned half-way
/// (their server died, their client vanished) and files an upload kept whose record never
/// committed (the server died in between). The server runs it at startup and then
/// periodically; both ages are graces, so nothing still in use is touched.
public struct EvidenceSweepWork: Sendable {
    public let store: any TenantStore
    public let evidence: any EvidenceStore
    /// An upload nothing has written to for this long is abandoned.
    public let abandonedAfter: TimeInterval
    /// A kept file no case refers to is removed once untouched for this long.
    public let unreferencedAfter: TimeInterval

    public init(store: any TenantStore, evidence: any EvidenceStore, abandonedAfter: TimeInterval, unreferencedAfter: TimeInterval) {
        self.store = store
        self.evidence = evidence
        self.abandonedAfter = abandonedAfter
        self.unreferencedAfter = unreferencedAfter
    }

    public struct Result: Sendable, Equatable {
        public var abandonedUploads = 0
        public var unreferencedFiles = 0

        public init() {}
    }

    public func run(now: Date) async throws -> Result {
        var result = Result()
        result.abandonedUploads = try await evidence.removeAbandonedUploads(untouchedSince: now.addingTimeInterval(-abandonedAfter))
        for (agency, hashes) in try await evidence.files(untouchedSince: now.addingTimeInterval(-unreferencedAfter)) {
            for start in stride(from: 0, to: hashes.count, by: 500) {
                let batch = Array(hashes[start..<min(start + 500, hashes.count)])
                let referenced = try await store.transaction(agency: agency, .read) { tx in try await tx.cases.referencedEvidence(batch) }
                for hash in batch where !referenced.contains(hash) {
                    try await evidence.discard(agency: agency, sha256: hash)
                    result.unreferencedFiles += 1
                }
            }
        }
        return result
    }
}
