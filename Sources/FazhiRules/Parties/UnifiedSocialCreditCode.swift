/// 统一社会信用代码: the 18-character code of an organization (GB 32100-2015): a
/// registration-authority character, an organization-type character, the six-digit
/// division code, a nine-character organization code, and a check character (MOD 31 over
/// the alphabet without I, O, S, V, Z).
public struct UnifiedSocialCreditCode: Sendable, Hashable, CustomStringConvertible {
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    /// 3^i mod 31, the weights of the first 17 characters.
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    public let value: String

    public init(_ text: String) throws {
        let value = text.trimmingCharacters(in: .whitespaces).uppercased()
        let characters = Array(value)
        let values = characters.compactMap { Self.alphabet.firstIndex(of: $0) }
        guard characters.count == 18, values.count == 18 else {
            throw DomainError.creditCodeInvalid(.shape)
        }
        guard characters[2..<8].allSatisfy(\.isNumber) else {
            throw DomainError.creditCodeInvalid(.divisionCode)
        }
        guard Self.checkCharacter(forFirst17: values.prefix(17)) == characters[17] else {
            throw DomainError.creditCodeInvalid(.checkCharacter)
        }
        self.value = value
    }

    public var description: String { value }

    /// The check character of a code's first 17 characters, or nil when one of them is
    /// outside the code's alphabet.
    public static func checkCharacter(for first17: String) -> Character? {
        let values = first17.compactMap { alphabet.firstIndex(of: $0) }
        guard first17.count == 17, values.count == 17 else { return nil }
        return checkCharacter(forFirst17: values[...])
    }

    private static func checkCharacter(forFirst17 values: ArraySlice<Int>) -> Character {
        let sum = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return alphabet[(31 - sum % 31) % 31]
    }

}
