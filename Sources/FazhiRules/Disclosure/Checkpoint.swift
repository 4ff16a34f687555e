import Foundation

/// A log checkpoint (c2sp.org/tlog-checkpoint): the origin, the tree size and the root
/// hash, each on its own line; signed as a note by the log's key.
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: Int
    public var root: Data

    public init(origin: String, size: Int, root: Data) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    public var text: String { "\(origin)\n\(size)\n\(root.base64EncodedString())\n" }

    /// The checkpoint a signed note carries, once its signature by `verifier` checks.
    public init(note: String, verifier: SignedNote.VerifierKey) throws {
        let text = try SignedNote.open(note, verifier: verifier)
        try self.init(text: text)
    }

    /// The checkpoint a signed note carries, once its signature by any of `verifiers`
    /// (the log's key in use and its retired ones) checks.
    public init(note: String, verifiers: [SignedNote.VerifierKey]) throws {
        try self.init(text: try SignedNote.open(note, verifiers: verifiers))
    }

    public init(text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, let size = Int(lines[1]), size >= 0, String(size) == lines[1],
            let root = Data(base64Encoded: String(lines[2])), root.count == MerkleTree.hashSize
        else {
            throw SignedNote.NoteError.malformed("a checkpoint is an origin line, a decimal tree size and a base64 SHA-256 root")
        }
        self.init(origin: String(lines[0]), size: size, root: root)
    }
}
