import Crypto
import Foundation

/// A session's bearer token: `<agency code>.<256 random bits, base64url>`. The agency
/// prefix lets the server look the session up inside its agency from the start; only the
/// SHA-256 of the whole token is stored.
public struct BearerToken: Sendable, Equatable {
    public let agencyCode: String
    public let text: String

    /// A new token from the system's secure random source.
    public static func generate(agencyCode: String) -> BearerToken {
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return BearerToken(agencyCode: agencyCode, text: "\(agencyCode).\(secret.base64URLEncoded())")
    }

    /// Parses a token sent by a client; nil when it is not shaped like one of ours.
    public init?(_ text: String) {
        guard text.utf8.count <= 128, let dot = text.firstIndex(of: ".") else { return nil }
        let code = String(text[..<dot])
        let secret = text[text.index(after: dot)...]
        guard AgencyCodeRule.isValid(code), secret.count == 43,
            secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        self.init(agencyCode: code, text: text)
    }

    private init(agencyCode: String, text: String) {
        self.agencyCode = agencyCode
        self.text = text
    }

    /// What the database keeps.
    public var hash: Data { Data(SHA256.hash(data: Data(text.utf8))) }
}

extension Data {
    func base64URLEncoded() -> String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Agency codes: letters, digits and hyphens (e.g. `411202-MZ`), so a token's prefix is
/// unambiguous.
public enum AgencyCodeRule {
    public static func isValid(_ code: String) -> Bool {
        guard (1...32).contains(code.count), let first = code.first, first.isASCII, first.isLetter || first.isNumber else { return false }
        return code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}

/// Usernames: lower-case letters, digits, `.`, `_` and `-`, 2 to 64 characters, starting
/// with a letter or digit (the database checks the same).
public enum UsernameRule {
    public static func validate(_ username: String) throws {
        let valid =
            (2...64).contains(username.count)
            && username.first.map { $0.isASCII && ($0.isLowercase || $0.isNumber) } == true
            && username.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || ".-_".contains($0)) }
        guard valid else {
            throw DomainError.usernameInvalid
        }
    }
}
