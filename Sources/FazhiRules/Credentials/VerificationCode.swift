import Crypto
import Foundation

/// The code printed on a credential (亮证核验): a compact Ed25519-signed payload that any
/// verifier holding the agency's published public key checks offline.
///
/// Layout, base64url without padding: `v1.` + base64url(payload) + `.` + base64url(signature),
/// where payload is the UTF-8 of `agency|credential number|valid until (YYYY-MM-DD)` and the
/// signature is Ed25519 over the payload's bytes. Status is not in the code (it changes);
/// an online check by number gives it.
public struct VerificationCode: Sendable, Equatable {
    public let agencyCode: String
    public let credentialNumber: String
    public let validUntil: CalendarDay

    public init(agencyCode: String, credentialNumber: String, validUntil: CalendarDay) {
        self.agencyCode = agencyCode
        self.credentialNumber = credentialNumber
        self.validUntil = validUntil
    }

    private var payload: Data { Data("\(agencyCode)|\(credentialNumber)|\(validUntil)".utf8) }

    public func signed(with key: Curve25519.Signing.PrivateKey) throws -> String {
        "v1." + payload.base64URLEncoded() + "." + (try key.signature(for: payload)).base64URLEncoded()
    }

    /// The code's contents when `text` is a code this key signed, unaltered; otherwise
    /// nil ("not valid", whatever was wrong).
    public static func verify(_ text: String, publicKeys: (String) -> Curve25519.Signing.PublicKey?) -> VerificationCode? {
        guard let parsed = parse(text), let key = publicKeys(parsed.code.agencyCode),
            key.isValidSignature(parsed.signature, for: parsed.payload)
        else { return nil }
        return parsed.code
    }

    /// The agency a well-formed code claims to come from (not yet verified): whose key to
    /// fetch before `verify`.
    public static func claimedAgency(_ text: String) -> String? { parse(text)?.code.agencyCode }

    private static func parse(_ text: String) -> (code: VerificationCode, payload: Data, signature: Data)? {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".", omittingEmptySubsequences: false)
        guard text.count <= 512, parts.count == 3, parts[0] == "v1", let payload = Data(base64URL: String(parts[1])),
            let signature = Data(base64URL: String(parts[2])), signature.count == 64,
            // Only the canonical encoding: no second spelling of the same code.
            payload.base64URLEncoded() == parts[1], signature.base64URLEncoded() == parts[2],
            let fields = String(data: payload, encoding: .utf8)?.split(separator: "|", omittingEmptySubsequences: false),
            fields.count == 3, let validUntil = try? CalendarDay(iso: fields[2])
        else { return nil }
        return (VerificationCode(agencyCode: String(fields[0]), credentialNumber: String(fields[1]), validUntil: validUntil), payload, signature)
    }
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
