import Crypto
import Foundation
import Testing

@testable import FazhiRules

@Suite struct MerkleTreeTests {
    /// RFC 6962's test data (as used by Certificate Transparency implementations).
    static let leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map { hex($0) }
    static let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ].map { hex($0) }

    static func hex(_ text: String) -> Data {
        Data(stride(from: 0, to: text.count, by: 2).map { UInt8(text.dropFirst($0).prefix(2), radix: 16)! })
    }

    /// Every stored subtree of a tree, as a log would keep them.
    static func store(_ leafHashes: [Data]) -> [MerkleNode: Data] {
        var frontier = MerkleFrontier.empty
        var nodes: [MerkleNode: Data] = [:]
        for hash in leafHashes {
            for (node, value) in frontier.append(hash) { nodes[node] = value }
        }
        return nodes
    }

    @Test func rootsMatchThePublishedVectors() throws {
        let hashes = Self.leaves.map(MerkleTree.leafHash)
        #expect(MerkleTree.emptyRoot == Self.roots[0])
        var frontier = MerkleFrontier.empty
        #expect(frontier.root == Self.roots[0])
        for size in 1...8 {
            #expect(MerkleTree.root(of: hashes[..<size]) == Self.roots[size], "size \(size)")
            frontier.append(hashes[size - 1])
            #expect(frontier.root == Self.roots[size], "frontier at size \(size)")
            let nodes = Self.store(Array(hashes[..<size]))
            #expect(try MerkleTree.fold(MerkleTree.rootPlan(size: size), hashes: nodes) == Self.roots[size])
        }
    }

    @Test func proofsMatchThePublishedVectors() throws {
        let hashes = Self.leaves.map(MerkleTree.leafHash)
        let nodes = Self.store(hashes)
        let inclusion: [(Int, Int, [String])] = [
            (
                0, 8,
                [
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]
            ),
            (
                5, 8,
                [
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]
            ),
            (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
            (
                1, 5,
                [
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ]
            ),
        ]
        for (index, size, expected) in inclusion {
            let proof = try MerkleTree.assemble(MerkleTree.inclusionPlan(index: index, size: size), hashes: nodes)
            #expect(proof == expected.map(Self.hex), "inclusion of \(index) in \(size)")
            #expect(MerkleTree.verifyInclusion(leafHash: hashes[index], index: index, size: size, proof: proof, root: Self.roots[size]))
        }
        let consistency: [(Int, Int, [String])] = [
            (1, 1, []),
            (
                1, 8,
                [
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]
            ),
            (
                6, 8,
                [
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]
            ),
            (
                2, 5,
                [
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ]
            ),
        ]
        for (old, new, expected) in consistency {
            let proof = try MerkleTree.assemble(MerkleTree.consistencyPlan(from: old, to: new), hashes: nodes)
            #expect(proof == expected.map(Self.hex), "consistency \(old) → \(new)")
            #expect(MerkleTree.verifyConsistency(oldSize: old, newSize: new, oldRoot: Self.roots[old], newRoot: Self.roots[new], proof: proof))
        }
    }

    /// The naive recomputation, straight from RFC 9162's recursive definitions (PATH and
    /// SUBPROOF), over the Merkle Tree Hash of leaf ranges computed from the leaves
    /// (remembered per range, or 300² proofs would take minutes in a debug build).
    final class Naive {
        let leaves: [Data]
        var memo: [Int: Data] = [:]
        init(_ leaves: [Data]) { self.leaves = leaves }

        func mth(_ start: Int, _ end: Int) -> Data {
            if let known = memo[start * 100_000 + end] { return known }
            let value: Data
            switch end - start {
            case 0: value = MerkleTree.emptyRoot
            case 1: value = leaves[start]
            default:
                let k = MerkleTree.split(end - start)
                value = MerkleTree.nodeHash(mth(start, start + k), mth(start + k, end))
            }
            memo[start * 100_000 + end] = value
            return value
        }

        func path(_ m: Int, _ start: Int, _ end: Int) -> [Data] {
            guard end - start > 1 else { return [] }
            let k = MerkleTree.split(end - start)
            return m < k ? path(m, start, start + k) + [mth(start + k, end)] : path(m - k, start + k, end) + [mth(start, start + k)]
        }

        func subproof(_ m: Int, _ start: Int, _ end: Int, _ whole: Bool) -> [Data] {
            if m == end - start { return whole ? [] : [mth(start, end)] }
            let k = MerkleTree.split(end - start)
            return m <= k
                ? subproof(m, start, start + k, whole) + [mth(start + k, end)]
                : subproof(m - k, start + k, end, false) + [mth(start, start + k)]
        }
    }

    /// Every tree size up to 300: every inclusion proof and every consistency proof from
    /// the stored subtrees equals the naive recomputation and verifies; a wrong leaf, a
    /// wrong index or a wrong root does not.
    @Test func everyProofUpTo300LeavesMatchesTheNaiveRecomputation() throws {
        let hashes = (0..<300).map { MerkleTree.leafHash(Data("leaf \($0)".utf8)) }
        let nodes = Self.store(hashes)
        let naive = Naive(hashes)
        let roots = (0...300).map { naive.mth(0, $0) }
        for size in 1...300 {
            #expect(MerkleTree.root(of: hashes[..<size]) == roots[size])
            #expect(try MerkleTree.fold(MerkleTree.rootPlan(size: size), hashes: nodes) == roots[size])
            for index in 0..<size {
                let proof = try MerkleTree.assemble(MerkleTree.inclusionPlan(index: index, size: size), hashes: nodes)
                guard proof == naive.path(index, 0, size) else {
                    Issue.record("inclusion proof of \(index) in \(size) differs from the naive one")
                    return
                }
                guard MerkleTree.verifyInclusion(leafHash: hashes[index], index: index, size: size, proof: proof, root: roots[size]) else {
                    Issue.record("inclusion proof of \(index) in \(size) does not verify")
                    return
                }
            }
            for old in 1...size {
                let proof = try MerkleTree.assemble(MerkleTree.consistencyPlan(from: old, to: size), hashes: nodes)
                guard proof == (old == size ? [] : naive.subproof(old, 0, size, true)),
                    MerkleTree.verifyConsistency(oldSize: old, newSize: size, oldRoot: roots[old], newRoot: roots[size], proof: proof)
                else {
                    Issue.record("consistency proof \(old) → \(size) is wrong")
                    return
                }
            }
        }
        // Wrong things fail.
        let proof = try MerkleTree.assemble(MerkleTree.inclusionPlan(index: 7, size: 300), hashes: nodes)
        #expect(!MerkleTree.verifyInclusion(leafHash: hashes[8], index: 7, size: 300, proof: proof, root: roots[300]))
        #expect(!MerkleTree.verifyInclusion(leafHash: hashes[7], index: 6, size: 300, proof: proof, root: roots[300]))
        #expect(!MerkleTree.verifyInclusion(leafHash: hashes[7], index: 7, size: 299, proof: proof, root: roots[299]))
        #expect(!MerkleTree.verifyInclusion(leafHash: hashes[7], index: 7, size: 300, proof: proof.dropLast(), root: roots[300]))
        let consistency = try MerkleTree.assemble(MerkleTree.consistencyPlan(from: 100, to: 300), hashes: nodes)
        #expect(!MerkleTree.verifyConsistency(oldSize: 100, newSize: 300, oldRoot: roots[99], newRoot: roots[300], proof: consistency))
        #expect(!MerkleTree.verifyConsistency(oldSize: 100, newSize: 300, oldRoot: roots[100], newRoot: roots[299], proof: consistency))
        #expect(!MerkleTree.verifyConsistency(oldSize: 101, newSize: 300, oldRoot: roots[101], newRoot: roots[300], proof: consistency))
    }

    @Test func aMissingSubtreeIsNamed() {
        #expect(throws: MerkleTree.MissingNode.self) { try MerkleTree.fold(MerkleTree.rootPlan(size: 5), hashes: [:]) }
    }
}
