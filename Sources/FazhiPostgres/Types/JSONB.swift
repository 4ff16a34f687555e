import Foundation

/// A `jsonb` value held as its JSON text.
public struct JSONB: PostgresCodable, Hashable, CustomStringConvertible {
    public let text: String

    public init(text: String) { self.text = text }

    public init(_ value: some Encodable, encoder: JSONEncoder = JSONEncoder()) throws {
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: Data(text.utf8))
    }

    public var description: String { text }

    public static var postgresType: PostgresDataType { .jsonb }

    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        let bytes = Array(text.utf8)
        if bytes.contains(0) { throw .containsNUL }
        return [1] + bytes  // jsonb binary format version 1
    }

    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> JSONB {
        switch type {
        case .jsonb:
            guard bytes.count >= 1, bytes.buffer[0] == 1 else { throw .malformed("unknown jsonb format version") }
            guard let text = try bytes.slice(1..<bytes.count).utf8String else { throw .malformed("jsonb is not UTF-8") }
            return JSONB(text: text)
        case .json:
            guard let text = bytes.utf8String else { throw .malformed("json is not UTF-8") }
            return JSONB(text: text)
        default:
            throw .wrongType(expected: "JSONB", actual: type)
        }
    }
}
