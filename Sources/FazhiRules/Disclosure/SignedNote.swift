import Crypto
import Foundation

/// A C2SP signed note (c2sp.org/signed-note) with Ed25519 signatures: UTF-8 text ending in
/// a newline, a blank line, then one line per signature, `— <name> <base64(key hash ‖
/// signature)>`. The key hash is the first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖
/// public key); the verifier key is published as `<name>+<key hash hex>+<base64(0x01 ‖
/// public key)>`.
public enum SignedNote {
    static let ed25519: UInt8 = 0x01

    public struct Signature: Sendable, Equatable {
        public var name: String
        public var keyHash: UInt32
        public var signature: Data
    }

    /// The text and its signatures, or an error naming what was malformed.
    public static func parse(_ note: String) throws -> (text: String, signatures: [Signature]) {
        guard let split = note.range(of: "\n\n", options: .backwards) else { throw NoteError.malformed("no blank line before the signatures") }
        let text = String(note[..<split.lowerBound]) + "\n"
        var signatures: [Signature] = []
        for line in note[split.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard line.hasPrefix("— ") else { throw NoteError.malformed("a signature line must start with an em dash and a space") }
            let fields = line.dropFirst(2).split(separator: " ")
            guard fields.count == 2, let blob = Data(base64Encoded: String(fields[1])), blob.count > 4 else {
                throw NoteError.malformed("a signature line must be '— <name> <base64>'")
            }
            signatures.append(
                Signature(name: String(fields[0]), keyHash: blob.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }, signature: Data(blob.dropFirst(4))))
        }
        guard note.hasSuffix("\n"), !signatures.isEmpty else {
            throw NoteError.malformed("a note ends with at least one signature line and a newline")
        }
        return (text, signatures)
    }

    public static func keyHash(name: String, publicKey: Data) -> UInt32 {
        var input = Data(name.utf8)
        input.append(0x0A)
        input.append(ed25519)
        input.append(publicKey)
        return Data(SHA256.hash(data: input)).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Signs `text` (which must end in a newline) as `name`.
    public static func sign(_ text: String, name: String, key: Curve25519.Signing.PrivateKey) throws -> String {
        precondition(text.hasSuffix("\n"), "a note's text ends with a newline")
        precondition(!name.contains(" ") && !name.contains("+") && !name.isEmpty, "a key name has no spaces or plus signs")
        let signature = try key.signature(for: Data(text.utf8))
        var blob = Data()
        withUnsafeBytes(of: keyHash(name: name, publicKey: key.publicKey.rawRepresentation).bigEndian) { blob.append(contentsOf: $0) }
        blob.append(signature)
        return text + "\n— \(name) \(blob.base64EncodedString())\n"
    }

    /// The text of `note` when a signature by `verifier` checks; otherwise an error.
    public static func open(_ note: String, verifier: VerifierKey) throws -> String {
        let (text, signatures) = try parse(note)
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: verifier.publicKey)
        for signature in signatures where signature.name == verifier.name && signature.keyHash == verifier.keyHash {
            if key.isValidSignature(signature.signature, for: Data(text.utf8)) { return text }
            throw NoteError.badSignature
        }
        throw NoteError.unknownKey(verifier.name)
    }

    /// The text of `note` when it carries a good signature by any of `verifiers` (a log's
    /// key in use and its retired ones); otherwise an error.
    public static func open(_ note: String, verifiers: [VerifierKey]) throws -> String {
        guard let verifier = try signer(of: note, among: verifiers) else {
            throw NoteError.unknownKey(verifiers.first?.name ?? "")
        }
        return try open(note, verifier: verifier)
    }

    /// Which of `verifiers` signed `note` by name and key hash (the signature itself is
    /// checked by `open`); nil when none did.
    public static func signer(of note: String, among verifiers: [VerifierKey]) throws -> VerifierKey? {
        let signatures = try parse(note).signatures
        return verifiers.first { verifier in signatures.contains { $0.name == verifier.name && $0.keyHash == verifier.keyHash } }
    }

    /// A published verifier key.
    public struct VerifierKey: Sendable, Equatable, CustomStringConvertible {
        public var name: String
        public var keyHash: UInt32
        public var publicKey: Data

        public init(name: String, publicKey: Data) {
            self.name = name
            self.publicKey = publicKey
            keyHash = SignedNote.keyHash(name: name, publicKey: publicKey)
        }

        public init(_ encoded: String) throws {
            let fields = encoded.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let hash = UInt32(fields[1], radix: 16), fields[1].count == 8,
                let key = Data(base64Encoded: String(fields[2])), key.count == 33, key.first == SignedNote.ed25519
            else {
                throw NoteError.malformed("a verifier key is <name>+<8 hex digits>+<base64 of 0x01 and a 32-byte Ed25519 key>")
            }
            self.init(name: String(fields[0]), publicKey: Data(key.dropFirst()))
            guard keyHash == hash else { throw NoteError.malformed("the verifier key's hash does not match its name and key") }
        }

        public var description: String {
            "\(name)+\(String(format: "%08x", keyHash))+\((Data([SignedNote.ed25519]) + publicKey).base64EncodedString())"
        }
    }

    public enum NoteError: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        case badSignature
        case unknownKey(String)

        public var description: String {
            switch self {
            case .malformed(let what): "malformed signed note: \(what)"
            case .badSignature: "the note's signature does not verify"
            case .unknownKey(let name): "the note carries no signature by \(name)"
            }
        }
    }
}
