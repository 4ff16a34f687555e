import Foundation

/// An element type that PostgreSQL arrays of this client may hold.
public protocol PostgresArrayElement: PostgresCodable {
    static var postgresArrayType: PostgresDataType { get }
    static var acceptedArrayTypes: [PostgresDataType] { get }
}

extension String: PostgresArrayElement {
    public static var postgresArrayType: PostgresDataType { .textArray }
    public static var acceptedArrayTypes: [PostgresDataType] { [.textArray, .varcharArray] }
}
extension Int16: PostgresArrayElement {
    public static var postgresArrayType: PostgresDataType { .int2Array }
    public static var acceptedArrayTypes: [PostgresDataType] { [.int2Array] }
}
extension Int32: PostgresArrayElement {
    public static var postgresArrayType: PostgresDataType { .int4Array }
    public static var acceptedArrayTypes: [PostgresDataType] { [.int2Array, .int4Array] }
}
extension Int64: PostgresArrayElement {
    public static var postgresArrayType: PostgresDataType { .int8Array }
    public static var acceptedArrayTypes: [PostgresDataType] { [.int2Array, .int4Array, .int8Array] }
}
extension Int: PostgresArrayElement {
    public static var postgresArrayType: PostgresDataType { .int8Array }
    public static var acceptedArrayTypes: [PostgresDataType] { [.int2Array, .int4Array, .int8Array] }
}
extension Data: PostgresArrayElement {
    public static var postgresArrayType: PostgresDataType { .byteaArray }
    public static var acceptedArrayTypes: [PostgresDataType] { [.byteaArray] }
}
extension UUID: PostgresArrayElement {
    public static var postgresArrayType: PostgresDataType { .uuidArray }
    public static var acceptedArrayTypes: [PostgresDataType] { [.uuidArray] }
}

/// One-dimensional arrays in PostgreSQL's binary array format:
/// ndim, flags, element oid, (length, lower bound) per dimension, then (size, bytes) per element.
extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresDataType { Element.postgresArrayType }

    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(Int32(isEmpty ? 0 : 1))
        bytes.appendBigEndian(Int32(0))
        bytes.appendBigEndian(Element.postgresType.oid)
        if !isEmpty {
            bytes.appendBigEndian(Int32(count))
            bytes.appendBigEndian(Int32(1))
        }
        for element in self {
            guard let encoded = try element.postgresEncoded() else {
                throw .notRepresentable("array elements cannot be NULL")
            }
            bytes.appendBigEndian(Int32(encoded.count))
            bytes.append(contentsOf: encoded)
        }
        return bytes
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> [Element] {
        guard Element.acceptedArrayTypes.contains(type) else {
            throw .wrongType(expected: "[\(Element.self)]", actual: type)
        }
        let dimensions = try bytes.readInteger(Int32.self, at: 0)
        let elementType = PostgresDataType(oid: try bytes.readInteger(UInt32.self, at: 8))
        if dimensions == 0 { return [] }
        guard dimensions == 1 else { throw .malformed("only one-dimensional arrays are supported, got \(dimensions)") }
        let count = Int(try bytes.readInteger(Int32.self, at: 12))
        var offset = 20
        var result: [Element] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            let size = Int(try bytes.readInteger(Int32.self, at: offset))
            offset += 4
            guard size >= 0 else { throw .malformed("array element is NULL") }
            result.append(try Element.postgresDecode(try bytes.slice(offset..<(offset + size)), type: elementType))
            offset += size
        }
        return result
    }
}
