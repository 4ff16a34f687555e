import CLibPQ
import Foundation

/// Owns a libpq result and frees it when the last row referring to it is gone.
final class ResultHandle: @unchecked Sendable {
    // Safe to share: a PGresult is immutable once returned and libpq reads it without locks.
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { PQclear(pointer) }
}

/// The rows of one statement, decoded lazily from libpq's result in binary format.
/// Column names and types are read from the result when asked for, so a query's cost
/// is one allocation beyond libpq's own.
public struct PostgresRows: RandomAccessCollection, Sendable {
    let handle: ResultHandle?
    public let startIndex = 0
    public let endIndex: Int

    init(handle: ResultHandle) {
        self.handle = handle
        endIndex = Int(PQntuples(handle.pointer))
    }

    init() {
        handle = nil
        endIndex = 0
    }

    public var columns: [String] {
        guard let result = handle?.pointer else { return [] }
        return (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
    }

    /// Rows inserted, updated, deleted or returned, as the server reported them.
    public var affectedRows: Int {
        guard let result = handle?.pointer, let tag = PQcmdTuples(result), tag.pointee != 0 else { return 0 }
        return strtol(tag, nil, 10)
    }

    public subscript(position: Int) -> PostgresRow {
        precondition(indices.contains(position), "row \(position) is out of range")
        return PostgresRow(rows: self, index: position)
    }

    var columnCount: Int { handle.map { Int(PQnfields($0.pointer)) } ?? 0 }

    func columnType(_ column: Int) -> PostgresDataType {
        PostgresDataType(oid: PQftype(handle!.pointer, Int32(column)))
    }

    func columnName(_ column: Int) -> String {
        String(cString: PQfname(handle!.pointer, Int32(column)))
    }

    /// The first column named exactly `name`.
    func position(of name: String) -> Int? {
        guard let result = handle?.pointer else { return nil }
        return name.withCString { target in
            (0..<PQnfields(result)).first { strcmp(PQfname(result, $0), target) == 0 }.map(Int.init)
        }
    }
}

/// One row of a result.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    public var columns: [String] { rows.columns }

    /// Decodes column `column` (0-based). Errors name the column and both types.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        guard column >= 0, column < rows.columnCount else {
            throw PostgresError(
                code: .decoding,
                message: "column \(column) does not exist; the result has \(rows.columnCount) columns")
        }
        let result = rows.handle!.pointer
        let row = Int32(index)
        let field = Int32(column)
        do {
            if PQgetisnull(result, row, field) != 0 { return try T.postgresDecodeNull() }
            let length = Int(PQgetlength(result, row, field))
            let bytes = PostgresBytes(buffer: UnsafeRawBufferPointer(start: PQgetvalue(result, row, field), count: length))
            return try T.postgresDecode(bytes, type: rows.columnType(column))
        } catch {
            throw Self.error(error, column: rows.columnName(column), type: T.self)
        }
    }

    /// Decodes the column named `column`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let position = rows.position(of: column) else {
            throw PostgresError(
                code: .decoding,
                message: "no column named \"\(column)\"; the result has \(rows.columns.joined(separator: ", "))")
        }
        return try decode(type, at: position)
    }

    private static func error(_ failure: PostgresDecodingFailure, column: String, type: Any.Type) -> PostgresError {
        var error: PostgresError
        switch failure {
        case .unexpectedNull:
            error = PostgresError(code: .decoding, message: "column \"\(column)\" is NULL but \(type) is not optional")
        case .wrongType(let expected, let actual):
            error = PostgresError(code: .decoding, message: "column \"\(column)\" is \(actual), which does not decode as \(expected)")
        case .malformed(let reason):
            error = PostgresError(code: .decoding, message: "column \"\(column)\" could not be decoded as \(type): \(reason)")
        }
        error.column = column
        return error
    }
}
