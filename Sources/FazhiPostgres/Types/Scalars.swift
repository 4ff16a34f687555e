import Foundation

extension Bool: PostgresCodable {
    public static var postgresType: PostgresDataType { .bool }
    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? { [self ? 1 : 0] }
    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> Bool {
        try PostgresDecodingFailure.require(type, in: .bool, swiftType: "Bool")
        return try bytes.exactInteger(UInt8.self) != 0
    }
}

/// Integers decode from any narrower or equal PostgreSQL integer type, never a wider one,
/// so a value can never be silently truncated.
private func decodeInteger<T: FixedWidthInteger>(
    _ bytes: PostgresBytes, type: PostgresDataType, as: T.Type, swiftType: String
) throws(PostgresDecodingFailure) -> T {
    switch type {
    case .int2 where MemoryLayout<T>.size >= 2: return T(try bytes.exactInteger(Int16.self))
    case .int4 where MemoryLayout<T>.size >= 4: return T(try bytes.exactInteger(Int32.self))
    case .int8 where MemoryLayout<T>.size >= 8: return T(try bytes.exactInteger(Int64.self))
    default: throw .wrongType(expected: swiftType, actual: type)
    }
}

extension Int16: PostgresCodable {
    public static var postgresType: PostgresDataType { .int2 }
    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(self)
        return bytes
    }
    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> Int16 {
        try decodeInteger(bytes, type: type, as: Int16.self, swiftType: "Int16")
    }
}

extension Int32: PostgresCodable {
    public static var postgresType: PostgresDataType { .int4 }
    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(self)
        return bytes
    }
    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> Int32 {
        try decodeInteger(bytes, type: type, as: Int32.self, swiftType: "Int32")
    }
}

extension Int64: PostgresCodable {
    public static var postgresType: PostgresDataType { .int8 }
    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(self)
        return bytes
    }
    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> Int64 {
        try decodeInteger(bytes, type: type, as: Int64.self, swiftType: "Int64")
    }
}

extension Int: PostgresCodable {
    public static var postgresType: PostgresDataType { .int8 }
    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(Int64(self))
        return bytes
    }
    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> Int {
        try decodeInteger(bytes, type: type, as: Int.self, swiftType: "Int")
    }
}

extension Double: PostgresCodable {
    public static var postgresType: PostgresDataType { .float8 }
    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(bitPattern)
        return bytes
    }
    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> Double {
        switch type {
        case .float8: return Double(bitPattern: try bytes.exactInteger(UInt64.self))
        case .float4: return Double(Float(bitPattern: try bytes.exactInteger(UInt32.self)))
        default: throw .wrongType(expected: "Double", actual: type)
        }
    }
}

extension String: PostgresCodable {
    public static var postgresType: PostgresDataType { .text }
    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        // PostgreSQL text cannot hold NUL; refusing is better than truncating silently.
        let bytes = Array(utf8)
        if bytes.contains(0) { throw .containsNUL }
        return bytes
    }
    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> String {
        try PostgresDecodingFailure.require(type, in: .text, .varchar, .bpchar, .name, swiftType: "String")
        guard let text = bytes.utf8String else { throw .malformed("text is not valid UTF-8") }
        return text
    }
}

extension Data: PostgresCodable {
    public static var postgresType: PostgresDataType { .bytea }
    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? { Array(self) }
    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> Data {
        try PostgresDecodingFailure.require(type, in: .bytea, swiftType: "Data")
        return Data(bytes.buffer)
    }
}

extension UUID: PostgresCodable {
    public static var postgresType: PostgresDataType { .uuid }
    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        withUnsafeBytes(of: uuid) { Array($0) }
    }
    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> UUID {
        try PostgresDecodingFailure.require(type, in: .uuid, swiftType: "UUID")
        guard bytes.count == 16 else { throw .malformed("a uuid has 16 bytes, got \(bytes.count)") }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: bytes.buffer) }
        return UUID(uuid: raw)
    }
}
