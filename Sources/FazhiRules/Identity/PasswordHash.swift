import Crypto
import CryptoExtras
import Foundation

/// scrypt parameters; the server's configuration chooses them (tests lower them).
public struct ScryptParameters: Sendable, Equatable {
    /// log2 of the CPU/memory cost N.
    public var logN: Int
    public var blockSize: Int
    public var parallelism: Int

    public init(logN: Int = 15, blockSize: Int = 8, parallelism: Int = 1) {
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// OWASP's recommendation: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds).
    public static let standard = ScryptParameters()
}

/// A password stored as scrypt in PHC string form:
/// `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (standard base64, unpadded).
public struct PasswordHash: Sendable, Equatable {
    public let encoded: String

    public init(encoded: String) { self.encoded = encoded }

    /// Hashes `password` with a fresh 16-byte salt.
    public static func make(_ password: String, parameters: ScryptParameters) throws -> PasswordHash {
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        let hash = try derive(password, salt: salt, parameters: parameters)
        return PasswordHash(
            encoded:
                "$scrypt$ln=\(parameters.logN),r=\(parameters.blockSize),p=\(parameters.parallelism)$\(salt.unpaddedBase64())$\(hash.unpaddedBase64())"
        )
    }

    /// Whether `password` matches, compared in constant time. A malformed stored hash
    /// never matches.
    public func verify(_ password: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt",
            let parameters = Self.parameters(parts[2]),
            let salt = Data(unpaddedBase64: String(parts[3])),
            let expected = Data(unpaddedBase64: String(parts[4])),
            let actual = try? Self.derive(password, salt: salt, parameters: parameters, length: expected.count)
        else { return false }
        return constantTimeEquals(actual, expected)
    }

    /// A hash to verify against when the user does not exist, so that an unknown name
    /// costs the same time as a wrong password.
    public static func decoy(parameters: ScryptParameters) -> PasswordHash {
        (try? make("decoy-\(UUID().uuidString)", parameters: parameters)) ?? PasswordHash(encoded: "")
    }

    private static func derive(_ password: String, salt: Data, parameters: ScryptParameters, length: Int = 32) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(
            from: Data(password.utf8), salt: salt, outputByteCount: length,
            rounds: 1 << parameters.logN, blockSize: parameters.blockSize, parallelism: parameters.parallelism,
            maxMemory: 1 << 30)
        return key.withUnsafeBytes { Data($0) }
    }

    private static func parameters(_ text: Substring) -> ScryptParameters? {
        var values: [Substring: Int] = [:]
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: "=")
            guard kv.count == 2, let value = Int(kv[1]) else { return nil }
            values[kv[0]] = value
        }
        guard let logN = values["ln"], let r = values["r"], let p = values["p"],
            (1...24).contains(logN), (1...32).contains(r), (1...16).contains(p)
        else { return nil }
        return ScryptParameters(logN: logN, blockSize: r, parallelism: p)
    }
}

private func constantTimeEquals(_ a: Data, _ b: Data) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}

extension Data {
    func unpaddedBase64() -> String { base64EncodedString().replacingOccurrences(of: "=", with: "") }

    init?(unpaddedBase64 text: String) {
        let padded = text + String(repeating: "=", count: (4 - text.count % 4) % 4)
        self.init(base64Encoded: padded)
    }
}
