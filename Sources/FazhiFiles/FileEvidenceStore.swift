import Crypto
import FazhiRules
import FazhiUseCases
import Foundation

/// Evidence files in a directory, content-addressed: `<root>/<agency>/<first two hex
/// digits>/<sha256>`. A file arrives in a private temporary file, hashed as it comes;
/// only when it is complete, within the limit and of the expected hash is it synced to
/// disk and renamed into place (and the directory synced), so a crash or a refusal never
/// leaves part of a file where a reader could find it.
public struct FileEvidenceStore: EvidenceStore {
    public let root: URL

    public init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    func path(agency: UUID, sha256: String) -> URL {
        root.appendingPathComponent(agency.uuidString.lowercased()).appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }

    public func store<Chunks: AsyncSequence & Sendable>(
        agency: UUID, limit: Int, chunks: Chunks,
        declared: @Sendable () throws -> String
    ) async throws -> StoredEvidence
    where Chunks.Element == Data {
        let incoming = root.appendingPathComponent(agency.uuidString.lowercased()).appendingPathComponent("incoming")
        try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = incoming.appendingPathComponent(UUID().uuidString)
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw EvidenceFileError("cannot create \(temporary.path): \(String(cString: strerror(errno)))") }
        var closed = false
        defer {
            if !closed { close(descriptor) }
            unlink(temporary.path)  // after a rename this is a no-op on the old name
        }
        var hasher = SHA256()
        var size = 0
        for try await chunk in chunks {
            size += chunk.count
            guard size <= limit else {
                throw DomainError.evidenceTooLarge(limit: limit)
            }
            hasher.update(data: chunk)
            try chunk.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw EvidenceFileError("cannot write \(temporary.path): \(String(cString: strerror(errno)))")
                    }
                    offset += written
                }
            }
        }
        let actual = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let expected = try EvidenceHash.validated(try declared())
        guard actual == expected else {
            throw DomainError.evidenceHashMismatch(actual: actual)
        }
        guard fsync(descriptor) == 0 else { throw EvidenceFileError("cannot sync \(temporary.path): \(String(cString: strerror(errno)))") }
        close(descriptor)
        closed = true
        let final = path(agency: agency, sha256: actual)
        if FileManager.default.fileExists(atPath: final.path) {  // the same content is kept once
            // Touched, so the sweep of unreferenced files leaves it alone while this upload
            // attaches it.
            utimes(final.path, nil)
            return StoredEvidence(sha256: actual, size: size, created: false)
        }
        let directory = final.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard rename(temporary.path, final.path) == 0 else {
            throw EvidenceFileError("cannot keep \(final.path): \(String(cString: strerror(errno)))")
        }
        try Self.sync(directory: directory)
        return StoredEvidence(sha256: actual, size: size, created: true)
    }

    public func discard(agency: UUID, sha256: String) async throws {
        let file = path(agency: agency, sha256: try EvidenceHash.validated(sha256))
        guard unlink(file.path) == 0 || errno == ENOENT else {
            throw EvidenceFileError("cannot remove \(file.path): \(String(cString: strerror(errno)))")
        }
        try Self.sync(directory: file.deletingLastPathComponent())
    }

    public func read(agency: UUID, sha256: String) async throws -> AsyncThrowingStream<Data, any Error>? {
        let file = path(agency: agency, sha256: try EvidenceHash.validated(sha256))
        guard let handle = FileHandle(forReadingAtPath: file.path) else { return nil }
        return AsyncThrowingStream { continuation in
            let reader = Task {
                defer { try? handle.close() }
                do {
                    while !Task.isCancelled, let chunk = try handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
                        continuation.yield(chunk)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    public func removeAbandonedUploads(untouchedSince before: Date) async throws -> Int {
        var removed = 0
        for agency in try agencyDirectories() {
            let incoming = agency.appendingPathComponent("incoming")
            for file in (try? FileManager.default.contentsOfDirectory(at: incoming, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
            where Self.modified(file) < before {
                if unlink(file.path) == 0 { removed += 1 }
            }
        }
        return removed
    }

    public func files(untouchedSince before: Date) async throws -> [UUID: [String]] {
        var files: [UUID: [String]] = [:]
        for agencyDirectory in try agencyDirectories() {
            guard let agency = UUID(uuidString: agencyDirectory.lastPathComponent) else { continue }
            for prefix in (try? FileManager.default.contentsOfDirectory(atPath: agencyDirectory.path)) ?? [] where prefix.count == 2 {
                let directory = agencyDirectory.appendingPathComponent(prefix)
                for file in (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey]))
                    ?? []
                where (try? EvidenceHash.validated(file.lastPathComponent)) == file.lastPathComponent && Self.modified(file) < before {
                    files[agency, default: []].append(file.lastPathComponent)
                }
            }
        }
        return files
    }

    private func agencyDirectories() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil).filter {
            UUID(uuidString: $0.lastPathComponent) != nil
        }
    }

    private static func modified(_ file: URL) -> Date {
        (try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantFuture
    }

    /// A rename is durable only once its directory is synced.
    static func sync(directory: URL) throws {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw EvidenceFileError("cannot open \(directory.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw EvidenceFileError("cannot sync \(directory.path): \(String(cString: strerror(errno)))") }
    }
}

/// The disk failed us: an operator's problem, not the caller's.
public struct EvidenceFileError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
