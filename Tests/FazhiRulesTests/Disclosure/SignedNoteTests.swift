import Crypto
import Foundation
import Testing

@testable import FazhiRules

@Suite struct SignedNoteTests {
    let key = Curve25519.Signing.PrivateKey()

    @Test func aSignedCheckpointOpensWithItsVerifierKeyOnly() throws {
        let checkpoint = Checkpoint(origin: "fazhi/411202-MZ/disclosure", size: 42, root: MerkleTree.leafHash(Data("x".utf8)))
        let note = try SignedNote.sign(checkpoint.text, name: checkpoint.origin, key: key)
        let verifier = SignedNote.VerifierKey(name: checkpoint.origin, publicKey: key.publicKey.rawRepresentation)
        #expect(try Checkpoint(note: note, verifier: verifier) == checkpoint)
        // The published form of the key parses back to the same key.
        #expect(try SignedNote.VerifierKey(verifier.description) == verifier)
        #expect(verifier.description.hasPrefix("fazhi/411202-MZ/disclosure+"))

        // Another key, a changed size, a changed root: refused.
        let other = SignedNote.VerifierKey(name: checkpoint.origin, publicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation)
        #expect(throws: SignedNote.NoteError.self) { try Checkpoint(note: note, verifier: other) }
        let altered = note.replacingOccurrences(of: "\n42\n", with: "\n43\n")
        #expect(throws: SignedNote.NoteError.badSignature) { try Checkpoint(note: altered, verifier: verifier) }
        #expect(throws: SignedNote.NoteError.self) { try Checkpoint(note: checkpoint.text, verifier: verifier) }
    }

    /// The format, byte for byte: text, blank line, "— name base64(keyhash ‖ sig)".
    @Test func theNoteFormatIsC2SPs() throws {
        let text = "example.org/log\n7\n\(Data(repeating: 1, count: 32).base64EncodedString())\n"
        let note = try SignedNote.sign(text, name: "example.org/log", key: key)
        let lines = note.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 6 && lines[3] == "" && lines[5] == "")
        #expect(lines[4].hasPrefix("— example.org/log "))
        let blob = try #require(Data(base64Encoded: String(lines[4].split(separator: " ")[2])))
        #expect(blob.count == 4 + 64)
        // Key hash: SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[0..<4].
        let expected = Data(SHA256.hash(data: Data("example.org/log\n".utf8) + [0x01] + key.publicKey.rawRepresentation)).prefix(4)
        #expect(blob.prefix(4) == expected)
        #expect(key.publicKey.isValidSignature(blob.dropFirst(4), for: Data(text.utf8)))
    }

    @Test func malformedVerifierKeysAreRefusedWithAReason() {
        for bad in ["", "name", "name+zz+AAAA", "name+00000000+" + Data(repeating: 1, count: 33).base64EncodedString()] {
            #expect(throws: SignedNote.NoteError.self) { try SignedNote.VerifierKey(bad) }
        }
    }
}

@Suite struct TilePathTests {
    @Test func pathsFollowTlogTiles() {
        #expect(TilePath(kind: .hashes(level: 0), index: 1_234_067).path == "tile/0/x001/x234/067")
        #expect(TilePath(kind: .hashes(level: 1), index: 5, width: 17).path == "tile/1/005.p/17")
        #expect(TilePath(kind: .entries, index: 0).path == "tile/entries/000")
        for path in ["0/x001/x234/067", "1/005.p/17", "entries/000", "entries/x002/000.p/255"] {
            #expect(TilePath(Substring(path)).map { $0.path } == "tile/" + path)
        }
        for bad in ["0/1", "0/x1/000", "0/000.p/0", "0/000.p/256", "0/000.p/07", "x/000", "0", "-1/000", "0/0000", "0/00a"] {
            #expect(TilePath(Substring(bad)) == nil, "\(bad)")
        }
    }

    @Test func availabilityFollowsTheTreeSize() {
        #expect(TilePath.available(.hashes(level: 0), index: 0, treeSize: 0) == nil)
        #expect(TilePath.available(.hashes(level: 0), index: 0, treeSize: 70)?.width == 70)
        #expect(TilePath.available(.hashes(level: 0), index: 1, treeSize: 600)?.width == 256)
        #expect(TilePath.available(.hashes(level: 0), index: 2, treeSize: 600)?.width == 88)
        #expect(TilePath.available(.hashes(level: 1), index: 0, treeSize: 600)?.width == 2)
        #expect(TilePath.available(.hashes(level: 1), index: 0, treeSize: 255) == nil)
        #expect(TilePath.available(.entries, index: 0, treeSize: 3)?.width == 3)
        #expect(TilePath(kind: .hashes(level: 1), index: 0, width: 2).nodes == [MerkleNode(level: 8, index: 0), MerkleNode(level: 8, index: 1)])
    }
}
