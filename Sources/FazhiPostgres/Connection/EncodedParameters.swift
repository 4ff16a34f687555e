import CLibPQ

/// Parameters laid out the way `PQexecPrepared` wants them: one contiguous byte buffer
/// and parallel arrays of pointers, lengths and formats.
struct EncodedParameters {
    var types: [UInt32] = []
    var formats: [Int32] = []
    var lengths: [Int32] = []
    /// Where each value starts in `storage`; -1 for NULL.
    var offsets: [Int] = []
    var storage: [UInt8] = []

    init(_ parameters: [any PostgresEncodable]) throws {
        types.reserveCapacity(parameters.count)
        formats.reserveCapacity(parameters.count)
        lengths.reserveCapacity(parameters.count)
        offsets.reserveCapacity(parameters.count)
        for (index, parameter) in parameters.enumerated() {
            let type = Swift.type(of: parameter)
            types.append(type.postgresType.oid)
            formats.append(type.postgresFormat.rawValue)
            let encoded: [UInt8]?
            do {
                encoded = try parameter.postgresEncoded()
            } catch {
                throw PostgresError(code: .invalidParameter, message: Self.describe(error, index: index))
            }
            if let encoded {
                offsets.append(storage.count)
                lengths.append(Int32(encoded.count))
                storage.append(contentsOf: encoded)
                // libpq reads text-format values as C strings and ignores their length.
                if type.postgresFormat == .text { storage.append(0) }
            } else {
                offsets.append(-1)
                lengths.append(0)
            }
        }
    }

    var count: Int32 { Int32(types.count) }

    /// A key that tells statements with the same text but different parameter types apart.
    func cacheKey(for sql: String) -> StatementKey { StatementKey(sql: sql, types: types) }

    func withPointers<R>(
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R
    ) -> R {
        storage.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress)
            // A zero-length non-NULL value still needs a non-nil pointer.
            let empty: UnsafePointer<CChar> = UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
            // On the stack: this runs for every statement.
            return withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: offsets.count) { values in
                for (index, offset) in offsets.enumerated() {
                    values[index] = offset < 0 ? nil : base.map { ($0 + offset).assumingMemoryBound(to: CChar.self) } ?? empty
                }
                return lengths.withUnsafeBufferPointer { lengths in
                    formats.withUnsafeBufferPointer { formats in
                        body(UnsafePointer(values.baseAddress), lengths.baseAddress, formats.baseAddress)
                    }
                }
            }
        }
    }

    private static func describe(_ error: PostgresEncodingFailure, index: Int) -> String {
        switch error {
        case .containsNUL:
            return "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot store"
        case .notRepresentable(let reason):
            return "parameter $\(index + 1) cannot be sent: \(reason)"
        }
    }
}

/// A prepared statement is its text and its parameter types.
struct StatementKey: Hashable {
    let sql: String
    let types: [UInt32]
}
