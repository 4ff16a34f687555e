/// 公民身份号码: an 18-character resident ID number (GB 11643-1999). Validated by its
/// check character (ISO 7064 MOD 11-2) and its date of birth. Personal data: stored
/// encrypted, shown masked (`4112**********1234`) to everyone but those docs/DOMAIN.md names.
public struct ResidentIDNumber: Sendable, Hashable {
    public let value: String

    public init(_ text: String) throws {
        let value = text.uppercased()
        let characters = Array(value)
        guard characters.count == 18, characters[..<17].allSatisfy({ $0.isASCII && $0.isNumber }),
            let last = characters.last, last.isASCII, last.isNumber || last == "X"
        else {
            throw DomainError.idNumberInvalid(.shape)
        }
        let digits = characters[..<17].map { Int(String($0))! }
        guard Self.checkCharacter(for: digits) == last else {
            throw DomainError.idNumberInvalid(.checkCharacter)
        }
        let year = digits[6...9].reduce(0) { $0 * 10 + $1 }
        let month = digits[10] * 10 + digits[11]
        let day = digits[12] * 10 + digits[13]
        guard year >= 1900, (try? CalendarDay(year: year, month: month, day: day)) != nil else {
            throw DomainError.idNumberInvalid(.birthDate)
        }
        self.value = value
    }

    /// The check character of the first 17 digits.
    public static func checkCharacter(for digits: [Int]) -> Character {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return Array("10X98765432")[sum % 11]
    }

    /// The first four and last four characters; the rest hidden.
    public var masked: String { String(value.prefix(4)) + String(repeating: "*", count: 10) + String(value.suffix(4)) }

}

extension ResidentIDNumber: CustomStringConvertible {
    /// Masked, so that interpolating one into a log line never leaks it.
    public var description: String { masked }
}
