/// 行政区划代码: a six-digit division code. Trailing pairs of zeros mark a wider area:
/// 410000 (a province) contains 411200 (a city), which contains 411202 (a district).
public struct DivisionCode: Sendable, Hashable, CustomStringConvertible {
    public let code: String

    public init(_ code: String) throws {
        guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }), !code.hasPrefix("00") else {
            throw DomainError.divisionCodeInvalid(code)
        }
        self.code = code
    }

    /// The significant prefix: the code without its trailing zero pairs.
    private var prefix: Substring {
        var significant = code[...]
        while significant.count > 2, significant.hasSuffix("00") { significant = significant.dropLast(2) }
        return significant
    }

    /// Whether `other` lies inside this area (or is it).
    public func contains(_ other: DivisionCode) -> Bool { other.code.hasPrefix(prefix) }

    public var description: String { code }
}

/// As its six digits.
extension DivisionCode: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
