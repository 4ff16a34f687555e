import Crypto
import Foundation

/// A perfect subtree of a Merkle tree: the `2^level` leaves from `index << level`.
/// Stored logs keep the hash of every complete one; any root or proof is assembled from
/// a few of them.
public struct MerkleNode: Hashable, Sendable, Comparable {
    public var level: Int
    public var index: Int

    public init(level: Int, index: Int) {
        self.level = level
        self.index = index
    }

    public var firstLeaf: Int { index << level }
    public var leafCount: Int { 1 << level }

    public static func < (a: MerkleNode, b: MerkleNode) -> Bool { (a.level, a.index) < (b.level, b.index) }
}

/// RFC 6962 (RFC 9162 §2.1) Merkle trees with SHA-256: leaf hashes are `H(0x00 ‖ leaf)`,
/// interior nodes `H(0x01 ‖ left ‖ right)`, and a tree of n leaves splits at the largest
/// power of two below n. Proofs are planned as lists of stored perfect subtrees, so a
/// store answers any proof with one lookup; `assemble` turns the plan into hashes.
public enum MerkleTree {
    public static let hashSize = 32

    public static func leafHash(_ leaf: some DataProtocol) -> Data {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: leaf)
        return Data(hasher.finalize())
    }

    public static func nodeHash(_ left: Data, _ right: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Data(hasher.finalize())
    }

    /// The root of the empty tree: the hash of nothing.
    public static let emptyRoot = Data(SHA256.hash(data: Data()))

    /// The largest power of two strictly below `n` (n ≥ 2).
    static func split(_ n: Int) -> Int {
        precondition(n >= 2)
        return 1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }

    // MARK: Plans

    /// One hash of a proof: the hash of leaves [start, end), which is the right fold of
    /// these perfect subtrees (largest first).
    public typealias Part = [MerkleNode]

    /// The perfect subtrees that make up leaves [start, end) of a tree, largest first.
    /// `start` is a multiple of the first subtree's size, as RFC 6962's splits always are.
    public static func subtrees(from start: Int, to end: Int) -> Part {
        var nodes: Part = []
        var position = start
        while position < end {
            var level = position == 0 ? Int.bitWidth - 2 : position.trailingZeroBitCount
            while (1 << level) > end - position { level -= 1 }
            nodes.append(MerkleNode(level: level, index: position >> level))
            position += 1 << level
        }
        return nodes
    }

    /// The root of a tree of `size` leaves (size ≥ 1).
    public static func rootPlan(size: Int) -> Part { subtrees(from: 0, to: size) }

    /// The audit path of leaf `index` in a tree of `size` leaves (RFC 9162 §2.1.3.1).
    public static func inclusionPlan(index: Int, size: Int) -> [Part] {
        precondition(index >= 0 && index < size)
        var parts: [Part] = []
        var (low, high) = (0, size)
        let leaf = index
        // Walk down from the root, remembering the sibling of each step; the path lists
        // them from the leaf up.
        while high - low > 1 {
            let k = split(high - low)
            if leaf - low < k {
                parts.append(subtrees(from: low + k, to: high))
                high = low + k
            } else {
                parts.append(subtrees(from: low, to: low + k))
                low += k
            }
        }
        return parts.reversed()
    }

    /// The proof that the tree of `newSize` leaves extends the one of `oldSize`
    /// (RFC 9162 §2.1.4.1); empty when the sizes are equal.
    public static func consistencyPlan(from oldSize: Int, to newSize: Int) -> [Part] {
        precondition(oldSize >= 1 && oldSize <= newSize)
        guard oldSize < newSize else { return [] }
        var parts: [Part] = []
        var (low, high, m, whole) = (0, newSize, oldSize, true)
        while true {
            let n = high - low
            if m == n {
                if !whole { parts.append(subtrees(from: low, to: high)) }
                break
            }
            let k = split(n)
            if m <= k {
                parts.append(subtrees(from: low + k, to: high))
                high = low + k
            } else {
                parts.append(subtrees(from: low, to: low + k))
                low += k
                m -= k
                whole = false
            }
        }
        return parts.reversed()
    }

    /// Every stored subtree a set of parts needs.
    public static func nodes(in parts: [Part]) -> Set<MerkleNode> { Set(parts.joined()) }

    /// The hashes of `parts`, from the stored subtrees' hashes.
    public static func assemble(_ parts: [Part], hashes: [MerkleNode: Data]) throws -> [Data] {
        try parts.map { try fold($0, hashes: hashes) }
    }

    public static func fold(_ part: Part, hashes: [MerkleNode: Data]) throws -> Data {
        var result: Data?
        for node in part.reversed() {
            guard let hash = hashes[node] else { throw MissingNode(node: node) }
            result = result.map { nodeHash(hash, $0) } ?? hash
        }
        guard let result else { return emptyRoot }
        return result
    }

    /// A stored subtree a proof needed was not there.
    public struct MissingNode: Error, Sendable {
        public var node: MerkleNode

        public init(node: MerkleNode) { self.node = node }
    }

    // MARK: Computing from leaves (small trees, tests, verifiers)

    /// The Merkle Tree Hash of `leafHashes`, straight from the definition.
    public static func root(of leafHashes: ArraySlice<Data>) -> Data {
        switch leafHashes.count {
        case 0: return emptyRoot
        case 1: return leafHashes[leafHashes.startIndex]
        default:
            let k = split(leafHashes.count)
            let middle = leafHashes.startIndex + k
            return nodeHash(root(of: leafHashes[..<middle]), root(of: leafHashes[middle...]))
        }
    }

    // MARK: Verifying (RFC 9162 §2.1.3.2 and §2.1.4.2)

    public static func verifyInclusion(leafHash: Data, index: Int, size: Int, proof: [Data], root: Data) -> Bool {
        guard index >= 0, index < size else { return false }
        var (fn, sn, r) = (index, size - 1, leafHash)
        for p in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    public static func verifyConsistency(oldSize: Int, newSize: Int, oldRoot: Data, newRoot: Data, proof: [Data]) -> Bool {
        guard oldSize >= 1, oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        guard !proof.isEmpty else { return false }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        var (fn, sn) = (oldSize - 1, newSize - 1)
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var (fr, sr) = (path[0], path[0])
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}
