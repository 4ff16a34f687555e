import Crypto
import Foundation

/// The keys that keep personal data (resident ID numbers, contact details) out of the
/// database in plain form: AES-GCM seals it, and an HMAC under a second key gives a
/// stable index (one person, one officer) that reveals nothing. Both derive from the
/// server's configured secret (`ServerSecrets`), never from the database.
public struct PersonalDataKeys: Sendable {
    private let sealing: SymmetricKey
    private let indexing: SymmetricKey

    public init(sealing: SymmetricKey, indexing: SymmetricKey) {
        self.sealing = sealing
        self.indexing = indexing
    }

    public func seal(_ text: String) throws -> Data {
        guard let combined = try AES.GCM.seal(Data(text.utf8), using: sealing).combined else {
            throw DomainError.sealingFailed
        }
        return combined
    }

    public func open(_ sealed: Data) throws -> String {
        let plain = try AES.GCM.open(try AES.GCM.SealedBox(combined: sealed), using: sealing)
        return String(decoding: plain, as: UTF8.self)
    }

    public func index(_ text: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: indexing))
    }
}
