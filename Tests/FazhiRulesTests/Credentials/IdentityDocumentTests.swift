import Crypto
import FazhiRules
import Foundation
import Testing

struct ResidentIDNumberTests {
    // A made-up number with a correct check character (not a real person's).
    static let valid = "41120219800101" + "0015"

    @Test func theCheckCharacterAndBirthDateAreChecked() throws {
        let digits = Array("41120219800101001").map { Int(String($0))! }
        let check = ResidentIDNumber.checkCharacter(for: digits)
        let number = try ResidentIDNumber("41120219800101001" + String(check))
        #expect(number.masked == "4112**********001\(check)")
        #expect("\(number)" == number.masked, "interpolation never shows the number")
        // Any other check character is refused.
        for other in Array("0123456789X") where other != check {
            #expect(throws: DomainError.self) { try ResidentIDNumber("41120219800101001" + String(other)) }
        }
        #expect(throws: DomainError.self) { try ResidentIDNumber("4112021980010100") }
        let badDate = Array("41120219801301001").map { Int(String($0))! }
        #expect(throws: DomainError.self) { try ResidentIDNumber("41120219801301001" + String(ResidentIDNumber.checkCharacter(for: badDate))) }
    }

    @Test func aLowerCaseXIsAccepted() throws {
        // Find 17 digits whose check character is X.
        var base = 110_101_199_003_070_000
        var digits: [Int] = []
        repeat {
            base += 1
            digits = Array(String(base).prefix(17)).map { Int(String($0))! }
        } while ResidentIDNumber.checkCharacter(for: digits) != "X"
        let text = digits.map(String.init).joined() + "x"
        #expect(try ResidentIDNumber(text).value.hasSuffix("X"))
    }
}

struct VerificationCodeTests {
    let key = Curve25519.Signing.PrivateKey()
    let code = VerificationCode(agencyCode: "411202-MZ", credentialNumber: "411202-MZ-2023-0001", validUntil: try! CalendarDay(iso: "2028-05-09"))

    @Test func aSignedCodeVerifiesOfflineWithThePublicKey() throws {
        let text = try code.signed(with: key)
        #expect(text.hasPrefix("v1."))
        #expect(VerificationCode.verify(text) { $0 == "411202-MZ" ? key.publicKey : nil } == code)
    }

    @Test func forgedOrAlteredCodesAreNotValid() throws {
        let text = try code.signed(with: key)
        let keys: (String) -> Curve25519.Signing.PublicKey? = { $0 == "411202-MZ" ? key.publicKey : nil }
        // Another key's signature.
        #expect(VerificationCode.verify(try code.signed(with: Curve25519.Signing.PrivateKey()), publicKeys: keys) == nil)
        // An altered payload (a longer term) under the original signature.
        let parts = text.split(separator: ".")
        let altered = Data("411202-MZ|411202-MZ-2023-0001|2030-05-09".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        #expect(VerificationCode.verify("v1.\(altered).\(parts[2])", publicKeys: keys) == nil)
        // Every single-character change, padding bits of the last character included.
        for index in text.indices where text[index] != "." {
            for replacement in ["A", "B", "Q", "_"] where String(text[index]) != replacement {
                var changed = text
                changed.replaceSubrange(index...index, with: replacement)
                #expect(VerificationCode.verify(changed, publicKeys: keys) == nil, "\(changed)")
            }
        }
        #expect(VerificationCode.verify("", publicKeys: keys) == nil)
        #expect(VerificationCode.verify("v1..", publicKeys: keys) == nil)
        #expect(VerificationCode.verify(text, publicKeys: { _ in nil }) == nil, "an unknown agency")
    }
}
