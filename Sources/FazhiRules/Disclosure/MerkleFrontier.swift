import Foundation

/// The right edge of a growing Merkle tree: the perfect subtrees that make up its leaves
/// (one per set bit of the size). Appending a leaf completes new subtrees, which a log
/// stores; the root is the frontier folded. This is all a sequencer needs in memory.
public struct MerkleFrontier: Sendable, Equatable {
    public private(set) var size: Int
    /// The hashes of `MerkleTree.rootPlan(size:)`, in that order (largest first).
    public private(set) var hashes: [Data]

    /// The frontier of a tree of `size` leaves, from its stored subtrees.
    public init(size: Int, hashes: [MerkleNode: Data]) throws {
        self.size = size
        self.hashes =
            try size == 0
            ? []
            : MerkleTree.rootPlan(size: size).map { node in
                guard let hash = hashes[node] else { throw MerkleTree.MissingNode(node: node) }
                return hash
            }
    }

    public static let empty = try! MerkleFrontier(size: 0, hashes: [:])

    /// Appends a leaf hash; returns every subtree it completed, the leaf itself first.
    @discardableResult
    public mutating func append(_ leafHash: Data) -> [(MerkleNode, Data)] {
        var completed = [(MerkleNode(level: 0, index: size), leafHash)]
        var hash = leafHash
        var level = 0
        // Each trailing one bit of the old size is a subtree of the same size to merge.
        while (size >> level) & 1 == 1 {
            hash = MerkleTree.nodeHash(hashes.removeLast(), hash)
            level += 1
            completed.append((MerkleNode(level: level, index: size >> level), hash))
        }
        hashes.append(hash)
        size += 1
        return completed
    }

    public var root: Data {
        guard var result = hashes.last else { return MerkleTree.emptyRoot }
        for hash in hashes.dropLast().reversed() { result = MerkleTree.nodeHash(hash, result) }
        return result
    }
}
