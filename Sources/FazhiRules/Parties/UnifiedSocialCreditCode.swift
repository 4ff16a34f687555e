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
            throw Self.invalid(zh: "须为 18 位数字或大写字母（不含 I、O、S、V、Z）", en: "it has 18 digits or capital letters (no I, O, S, V, Z)")
        }
        guard characters[2..<8].allSatisfy(\.isNumber) else {
            throw Self.invalid(zh: "第 3 至 8 位须为行政区划代码", en: "characters 3 to 8 must be a division code")
        }
        guard Self.checkCharacter(forFirst17: values.prefix(17)) == characters[17] else {
            throw Self.invalid(zh: "校验码不符", en: "its check character does not match")
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

    private static func invalid(zh: String, en: String) -> DomainError {
        DomainError.invalidArgument(field: "credit_code", zh: "统一社会信用代码无效：\(zh)", en: "the unified social credit code is not valid: \(en)")
    }
}
