import Crypto
import Foundation

/// The server's one configured secret (`secrets.key`: 32 random bytes, base64) and the
/// keys derived from it with HKDF: personal-data sealing and indexing, and the sealing of
/// agencies' private signing keys. The database holds nothing that unlocks them.
public struct ServerSecrets: Sendable {
    public let personalData: PersonalDataKeys
    public let signingKeys: SigningKeySealer

    public init(secretBase64: String) throws {
        guard let secret = Data(base64Encoded: secretBase64.trimmingCharacters(in: .whitespacesAndNewlines)), secret.count == 32 else {
            throw DomainError.serverSecretInvalid
        }
        let master = SymmetricKey(data: secret)
        func derive(_ info: String) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data(info.utf8), outputByteCount: 32)
        }
        personalData = PersonalDataKeys(sealing: derive("fazhi personal data sealing"), indexing: derive("fazhi personal data index"))
        signingKeys = SigningKeySealer(key: derive("fazhi agency signing key sealing"))
    }

    /// A new secret for `secrets.key`.
    public static func generate() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
    }
}

/// Seals and opens agencies' Ed25519 private keys for storage.
public struct SigningKeySealer: Sendable {
    let key: SymmetricKey

    public func seal(_ privateKey: Curve25519.Signing.PrivateKey, purpose: String) throws -> StoredSigningKey {
        // The purpose is authenticated with the key, so a sealed key cannot be moved to
        // another purpose.
        let box = try AES.GCM.seal(privateKey.rawRepresentation, using: key, authenticating: Data(purpose.utf8))
        guard let combined = box.combined else { throw DomainError.sealingFailed }
        return StoredSigningKey(publicKey: privateKey.publicKey.rawRepresentation, privateKeySealed: combined)
    }

    public func open(_ stored: StoredSigningKey, purpose: String) throws -> Curve25519.Signing.PrivateKey {
        let raw = try AES.GCM.open(try AES.GCM.SealedBox(combined: stored.privateKeySealed), using: key, authenticating: Data(purpose.utf8))
        return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }
}

/// An agency's signing key as stored: the public key, and the private key sealed.
public struct StoredSigningKey: Sendable, Equatable {
    public var publicKey: Data
    public var privateKeySealed: Data

    public init(publicKey: Data, privateKeySealed: Data) {
        self.publicKey = publicKey
        self.privateKeySealed = privateKeySealed
    }
}
