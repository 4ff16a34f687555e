import Crypto
import FazhiRules
import Foundation

/// Each agency's Ed25519 keys, one per purpose, made on first use and kept sealed in the
/// database. The public half is published so verifiers work offline.
public struct SigningKeyWork: Sendable {
    /// Signs the codes printed on credentials (亮证核验).
    public static let credentialCode = "credential_code"
    /// Signs the checkpoints of the disclosure log.
    public static let disclosureLog = "disclosure_log"

    public let store: any TenantStore
    public let sealer: SigningKeySealer

    public init(store: any TenantStore, sealer: SigningKeySealer) {
        self.store = store
        self.sealer = sealer
    }

    public func privateKey(agency: UUID, purpose: String) async throws -> Curve25519.Signing.PrivateKey {
        let stored = try await store.transaction(agency: agency, .write(for: nil)) { tx in try await ensure(purpose, tx: tx) }
        return try sealer.open(stored, purpose: purpose)
    }

    public func publicKey(agency: UUID, purpose: String) async throws -> Curve25519.Signing.PublicKey {
        let stored = try await store.transaction(agency: agency, .read) { tx in try await tx.credentials.signingKey(purpose: purpose) }
        if let stored { return try Curve25519.Signing.PublicKey(rawRepresentation: stored.publicKey) }
        return try await privateKey(agency: agency, purpose: purpose).publicKey
    }

    /// Every public key the agency has used for `purpose`, oldest first (the one in use
    /// last), so what a retired key signed keeps verifying.
    public func history(agency: UUID, purpose: String) async throws -> [PublishedSigningKey] {
        let history = try await store.transaction(agency: agency, .read) { tx in try await tx.credentials.signingKeyHistory(purpose: purpose)
        }
        if history.contains(where: { $0.retiredAt == nil }) { return history }
        _ = try await privateKey(agency: agency, purpose: purpose)
        return try await store.transaction(agency: agency, .read) { tx in try await tx.credentials.signingKeyHistory(purpose: purpose) }
    }

    /// The stored key, made now if there is none (two servers making one at once keep the
    /// first).
    func ensure(_ purpose: String, tx: any TenantTransaction) async throws -> StoredSigningKey {
        if let stored = try await tx.credentials.signingKey(purpose: purpose) { return stored }
        return try await tx.credentials.insertSigningKey(purpose: purpose, try sealer.seal(Curve25519.Signing.PrivateKey(), purpose: purpose))
    }
}
