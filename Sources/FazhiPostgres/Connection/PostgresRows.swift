import CLibPQ

/// Owns a libpq result and frees it when the last row referring to it is gone.
final class ResultHandle: @unchecked Sendable {
    // Safe to share: a PGresult is immutable once returned and libpq reads it without locks.
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { PQclear(pointer) }
}

/// The rows of one statement, decoded lazily from libpq's result in binary format.
public struct PostgresRows: RandomAccessCollection, Sendable {
    let handle: ResultHandle?
    public let columns: [String]
    let columnTypes: [PostgresDataType]
    private let columnIndex: [String: Int]
    /// Rows inserted, updated, deleted or returned, as the server reported them.
    public let affectedRows: Int

    init(handle: ResultHandle) {
        self.handle = handle
        let result = handle.pointer
        let count = Int(PQnfields(result))
        var columns: [String] = []
        var types: [PostgresDataType] = []
        columns.reserveCapacity(count)
        for column in 0..<count {
            columns.append(String(cString: PQfname(result, Int32(column))))
            types.append(PostgresDataType(oid: PQftype(result, Int32(column))))
        }
        self.columns = columns
        self.columnTypes = types
        var index: [String: Int] = [:]
        for (position, name) in columns.enumerated().reversed() { index[name] = position }
        self.columnIndex = index
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
        endIndex = Int(PQntuples(result))
    }

    init() {
        handle = nil
        columns = []
        columnTypes = []
        columnIndex = [:]
        affectedRows = 0
        endIndex = 0
    }

    public let startIndex = 0
    public let endIndex: Int

    public subscript(position: Int) -> PostgresRow {
        precondition(indices.contains(position), "row \(position) is out of range")
        return PostgresRow(rows: self, index: position)
    }

    func position(of column: String) -> Int? { columnIndex[column] }
}

/// One row of a result.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    public var columns: [String] { rows.columns }

    /// Decodes column `column` (0-based). Errors name the column and both types.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        guard rows.columns.indices.contains(column) else {
            throw PostgresError(
                code: .decoding,
                message: "column \(column) does not exist; the result has \(rows.columns.count) columns")
        }
        let result = rows.handle!.pointer
        let row = Int32(index)
        let field = Int32(column)
        do {
            if PQgetisnull(result, row, field) != 0 { return try T.postgresDecodeNull() }
            let length = Int(PQgetlength(result, row, field))
            let bytes = PostgresBytes(buffer: UnsafeRawBufferPointer(start: PQgetvalue(result, row, field), count: length))
            return try T.postgresDecode(bytes, type: rows.columnTypes[column])
        } catch {
            throw Self.error(error, column: rows.columns[column], type: T.self)
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
        case let .wrongType(expected, actual):
            error = PostgresError(code: .decoding, message: "column \"\(column)\" is \(actual), which does not decode as \(expected)")
        case let .malformed(reason):
            error = PostgresError(code: .decoding, message: "column \"\(column)\" could not be decoded as \(type): \(reason)")
        }
        error.column = column
        return error
    }
}
