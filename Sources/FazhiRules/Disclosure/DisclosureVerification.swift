import Crypto
import Foundation

/// What anyone can check with the log's published key: that an entry is in the signed
/// log, unchanged; that the whole log adds up to its signed root; and that it extends a
/// checkpoint saved earlier, so nothing published was silently changed or dropped.
public enum DisclosureVerification {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        /// The entries the failure is about, when known.
        public var entries: [UUID]

        public init(_ description: String, entries: [UUID] = []) {
            self.description = description
            self.entries = entries
        }
    }

    /// Checks one entry against a signed checkpoint: the signature, the content against
    /// its hash (unless withdrawn), the leaf against the entry, and the inclusion proof.
    @discardableResult
    public static func verifyEntry(
        _ entry: DisclosureEntry, proof: [Data], checkpointNote: String, verifier: SignedNote.VerifierKey
    ) throws -> Checkpoint {
        try verifyEntry(entry, proof: proof, checkpointNote: checkpointNote, verifiers: [verifier])
    }

    /// The same, with the log's key in use and its retired ones.
    @discardableResult
    public static func verifyEntry(
        _ entry: DisclosureEntry, proof: [Data], checkpointNote: String, verifiers: [SignedNote.VerifierKey]
    ) throws -> Checkpoint {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint(note: checkpointNote, verifiers: verifiers)
        } catch {
            throw Failure("the checkpoint's signature does not verify with the log's key: \(error)")
        }
        try checkContent(entry)
        guard let index = entry.leafIndex else { throw Failure("the entry is not in the log yet", entries: [entry.id]) }
        let leaf = DisclosureLeaf(entry, origin: checkpoint.origin)
        guard MerkleTree.verifyInclusion(leafHash: leaf.leafHash, index: index, size: checkpoint.size, proof: proof, root: checkpoint.root) else {
            throw Failure(
                "entry \(entry.id.uuidString.lowercased()) (leaf \(index)) is not what the signed log holds: it was changed after publication",
                entries: [entry.id])
        }
        return checkpoint
    }

    /// Checks the whole log: `entries` are every entry of the checkpoint's tree, in leaf
    /// order; `saved` (with `consistency`, the proof from its size to the checkpoint's)
    /// is a checkpoint kept from earlier.
    public static func verifyLog(
        entries: [DisclosureEntry], checkpoint: Checkpoint, saved: Checkpoint?, consistency: [Data],
        storedLeafHashes: [Data]? = nil
    ) throws {
        guard entries.count == checkpoint.size, entries.enumerated().allSatisfy({ $0.element.leafIndex == $0.offset }) else {
            throw Failure("the log holds \(entries.count) entries in order where its checkpoint says \(checkpoint.size)")
        }
        var frontier = MerkleFrontier.empty
        var changed: [UUID] = []
        for (index, entry) in entries.enumerated() {
            do { try checkContent(entry) } catch { changed.append(entry.id) }
            let leaf = DisclosureLeaf(entry, origin: checkpoint.origin)
            let hash = leaf.leafHash
            if let stored = storedLeafHashes, index < stored.count, stored[index] != hash { changed.append(entry.id) }
            if let served = entry.leaf, served != leaf.encoded, changed.last != entry.id { changed.append(entry.id) }
            frontier.append(hash)
        }
        if !changed.isEmpty || frontier.root != checkpoint.root {
            let named = changed.isEmpty ? "" : ": " + changed.map { $0.uuidString.lowercased() }.joined(separator: ", ")
            throw Failure(
                "the entries do not add up to the signed root: \(changed.isEmpty ? "some" : String(changed.count)) entry was rewritten\(named)",
                entries: changed)
        }
        if let saved {
            guard saved.origin == checkpoint.origin else { throw Failure("the saved checkpoint is of another log (\(saved.origin))") }
            guard
                MerkleTree.verifyConsistency(
                    oldSize: saved.size, newSize: checkpoint.size, oldRoot: saved.root, newRoot: checkpoint.root, proof: consistency)
            else {
                throw Failure("the log no longer extends the checkpoint saved at size \(saved.size): its history was rewritten")
            }
        }
    }

    static func checkContent(_ entry: DisclosureEntry) throws {
        guard let content = entry.content else { return }
        guard Data(SHA256.hash(data: Data(content.utf8))) == entry.contentSHA256 else {
            throw Failure("entry \(entry.id.uuidString.lowercased())'s content does not match the hash the log holds", entries: [entry.id])
        }
    }
}
