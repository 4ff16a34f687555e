import FazhiRules
import Foundation

/// Where evidence files live, by the SHA-256 of their content. The domain only asks; a
/// file system (or later an object store) implements it.
public protocol EvidenceStore: Sendable {
    /// Keeps the bytes of `chunks` for `agency` when they stay within `limit` bytes and
    /// hash to the SHA-256 (hex) the sender declared (asked once every byte has arrived: a
    /// stream may announce it in its first message); returns the hash, the size, and whether
    /// this call created the file (false when the same content was already kept). Otherwise
    /// throws, and nothing of the bytes remains. The same content is kept once.
    func store<Chunks: AsyncSequence & Sendable>(
        agency: UUID, limit: Int, chunks: Chunks,
        declared: @Sendable () throws -> String
    ) async throws -> StoredEvidence
    where Chunks.Element == Data
    /// Removes a file that `store` created for an upload that was then refused (the case
    /// unknown or closed, the caller not allowed): no refused upload leaves a file behind.
    func discard(agency: UUID, sha256: String) async throws
    /// The file's bytes in chunks, or nil when it is not kept.
    func read(agency: UUID, sha256: String) async throws -> AsyncThrowingStream<Data, any Error>?
    /// Removes uploads in progress that nothing has written to since `before` (their server
    /// died, or the client vanished); returns how many.
    func removeAbandonedUploads(untouchedSince before: Date) async throws -> Int
    /// Kept files not touched since `before` (kept or re-sent), by agency: the candidates
    /// for removal when no case refers to them.
    func files(untouchedSince before: Date) async throws -> [UUID: [String]]
}

/// What `EvidenceStore.store` kept.
public struct StoredEvidence: Sendable, Equatable {
    public var sha256: String
    public var size: Int
    /// This upload created the file; false when the same content was already kept.
    public var created: Bool

    public init(sha256: String, size: Int, created: Bool) {
        self.sha256 = sha256
        self.size = size
        self.created = created
    }
}

public enum EvidenceHash {
    /// Lower-case hex SHA-256, or INVALID_ARGUMENT naming the field.
    public static func validated(_ text: String) throws -> String {
        let hash = text.lowercased()
        guard hash.count == 64, hash.allSatisfy({ $0.isHexDigit }) else {
            throw DomainError.sha256NotHex
        }
        return hash
    }
}
