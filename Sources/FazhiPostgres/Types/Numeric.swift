import Foundation

/// `numeric` ↔ `Decimal`, exactly. Parameters go as text (PostgreSQL parses them itself);
/// results arrive in binary base-10000 digits and are rebuilt as a decimal string.
extension Decimal: PostgresCodable {
    public static var postgresType: PostgresDataType { .numeric }
    public static var postgresFormat: PostgresFormat { .text }

    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        guard !isNaN else { return Array("NaN".utf8) }
        return Array(description.utf8)
    }

    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> Decimal {
        switch type {
        case .numeric: break
        case .int2, .int4, .int8: return Decimal(try Int64.postgresDecode(bytes, type: type))
        default: throw .wrongType(expected: "Decimal", actual: type)
        }
        let digitCount = Int(try bytes.readInteger(Int16.self, at: 0))
        let weight = Int(try bytes.readInteger(Int16.self, at: 2))
        let sign = try bytes.readInteger(UInt16.self, at: 4)
        let scale = Int(try bytes.readInteger(Int16.self, at: 6))
        switch sign {
        case 0x0000, 0x4000: break
        case 0xC000: return .nan
        default: throw .malformed("infinite numeric values have no Decimal")
        }
        var digits: [Int] = []
        digits.reserveCapacity(digitCount)
        for index in 0..<digitCount {
            digits.append(Int(try bytes.readInteger(Int16.self, at: 8 + index * 2)))
        }
        // Digit i is worth 10000^(weight - i).
        var integerPart = ""
        var fractionPart = ""
        if weight >= 0 {
            for group in 0...weight {
                let digit = group < digits.count ? digits[group] : 0
                integerPart += group == 0 ? String(digit) : leftPadded(digit)
            }
        } else {
            integerPart = "0"
        }
        if scale > 0 {
            var group = weight + 1
            while fractionPart.count < scale {
                let digit = group >= 0 && group < digits.count ? digits[group] : 0
                fractionPart += group < 0 ? "0000" : leftPadded(digit)
                group += 1
            }
            fractionPart = String(fractionPart.prefix(scale))
        }
        let text = (sign == 0x4000 ? "-" : "") + integerPart + (fractionPart.isEmpty ? "" : "." + fractionPart)
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw .malformed("numeric \(text) does not fit a Decimal")
        }
        return value
    }

    private static func leftPadded(_ digit: Int) -> String {
        let text = String(digit)
        return String(repeating: "0", count: 4 - text.count) + text
    }
}
