import Foundation

/// A Swift value that can be bound as a statement parameter.
public protocol PostgresEncodable: Sendable {
    /// The parameter type sent with the statement, so the server never guesses.
    static var postgresType: PostgresDataType { get }
    static var postgresFormat: PostgresFormat { get }
    /// The wire form in `postgresFormat`, or nil for SQL NULL.
    func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]?
}

extension PostgresEncodable {
    public static var postgresFormat: PostgresFormat { .binary }
}

/// A Swift value that can be read from a result column in binary format.
public protocol PostgresDecodable {
    static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> Self
    /// What a SQL NULL decodes to; by default it is an error.
    static func postgresDecodeNull() throws(PostgresDecodingFailure) -> Self
}

extension PostgresDecodable {
    public static func postgresDecodeNull() throws(PostgresDecodingFailure) -> Self {
        throw .unexpectedNull
    }
}

public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

public enum PostgresEncodingFailure: Error, Sendable, Equatable {
    case containsNUL
    case notRepresentable(String)
}

public enum PostgresDecodingFailure: Error, Sendable, Equatable {
    case unexpectedNull
    case wrongType(expected: String, actual: PostgresDataType)
    case malformed(String)
}

extension PostgresDecodingFailure {
    static func require(_ actual: PostgresDataType, in accepted: PostgresDataType..., swiftType: String) throws(PostgresDecodingFailure) {
        guard accepted.contains(actual) else { throw .wrongType(expected: swiftType, actual: actual) }
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresDataType { Wrapped.postgresType }
    public static var postgresFormat: PostgresFormat { Wrapped.postgresFormat }
    public func postgresEncoded() throws(PostgresEncodingFailure) -> [UInt8]? {
        switch self {
        case .none: return nil
        case .some(let value): return try value.postgresEncoded()
        }
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func postgresDecode(_ bytes: PostgresBytes, type: PostgresDataType) throws(PostgresDecodingFailure) -> Self {
        try Wrapped.postgresDecode(bytes, type: type)
    }
    public static func postgresDecodeNull() throws(PostgresDecodingFailure) -> Self { nil }
}

/// A read-only view of one value's bytes inside a result, valid while the result lives.
public struct PostgresBytes {
    public let buffer: UnsafeRawBufferPointer

    public var count: Int { buffer.count }

    func readInteger<T: FixedWidthInteger>(_: T.Type, at offset: Int) throws(PostgresDecodingFailure) -> T {
        guard offset >= 0, offset + MemoryLayout<T>.size <= buffer.count else {
            throw .malformed("value is shorter than expected")
        }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + MemoryLayout<T>.size)]))
        }
        return T(bigEndian: value)
    }

    func exactInteger<T: FixedWidthInteger>(_: T.Type) throws(PostgresDecodingFailure) -> T {
        guard buffer.count == MemoryLayout<T>.size else {
            throw .malformed("expected \(MemoryLayout<T>.size) bytes, got \(buffer.count)")
        }
        return try readInteger(T.self, at: 0)
    }

    func slice(_ range: Range<Int>) throws(PostgresDecodingFailure) -> PostgresBytes {
        guard range.lowerBound >= 0, range.upperBound <= buffer.count else {
            throw .malformed("value is shorter than expected")
        }
        return PostgresBytes(buffer: UnsafeRawBufferPointer(rebasing: buffer[range]))
    }

    var utf8String: String? {
        String(validating: buffer.bindMemory(to: UInt8.self), as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
