import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import SwiftProtobuf

/// Checks every request message, field by field, before a handler sees it, for what no
/// field of any method may carry: text with a NUL character (PostgreSQL cannot store it),
/// text longer than `maximumTextBytes`, and timestamps outside the range protobuf defines
/// (0001-01-01 to 9999-12-31, nanoseconds below one second). Each method's own ranges
/// (counts, sizes, years) are its adapter's to check; this closes the classes of input
/// that every method shares, so a new method cannot forget them.
enum RequestScreen {
    /// The longest text any single field may carry. The longest legitimate texts are a
    /// power list's CSV and a decision's wording, far below this.
    static let maximumTextBytes = 256 * 1024
    /// `0001-01-01T00:00:00Z` and `9999-12-31T23:59:59Z`, the bounds of `google.protobuf.Timestamp`.
    static let timestampSeconds: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// Throws INVALID_ARGUMENT naming the first field that breaks a rule.
    static func check(_ message: any Message) throws {
        var visitor = ScreenVisitor(messageType: type(of: message), path: "")
        try message.traverse(visitor: &visitor)
    }

    /// The proto name of field `number` of `type`. SwiftProtobuf keeps its name maps
    /// internal, so the name is read back from the JSON of a message holding only that field:
    /// runs on refusals only.
    static func fieldName(_ number: Int, of type: any Message.Type) -> String {
        var tag: [UInt8] = []
        var value = UInt64(number) << 3 | 2  // length-delimited: text, bytes, a message or a map entry
        while value >= 0x80 {
            tag.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        tag.append(UInt8(value))
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        // Text is printed only when not empty; a message (or a map entry) when present.
        for payload: [UInt8] in [[1, UInt8(ascii: "x")], [0]] {
            guard let probe = try? type.init(serializedBytes: tag + payload), let json = try? probe.jsonString(options: options),
                let start = json.firstIndex(of: "\""), let end = json[json.index(after: start)...].firstIndex(of: "\"")
            else { continue }
            return String(json[json.index(after: start)..<end])
        }
        return "field_\(number)"
    }
}

private struct ScreenVisitor: Visitor {
    let messageType: any Message.Type
    let path: String

    private func name(_ number: Int) -> String {
        let field = RequestScreen.fieldName(number, of: messageType)
        return path.isEmpty ? field : "\(path).\(field)"
    }

    private func checkText(_ text: String, field number: Int) throws {
        if text.utf8.contains(0) {
            let field = name(number)
            throw DomainError.containsNUL(field: field)
        }
        if text.utf8.count > RequestScreen.maximumTextBytes {
            let field = name(number)
            throw DomainError.textTooLong(field: field, maximumBytes: RequestScreen.maximumTextBytes)
        }
    }

    private func checkTimestamp(_ timestamp: Google_Protobuf_Timestamp, field number: Int) throws {
        guard RequestScreen.timestampSeconds.contains(timestamp.seconds), (0..<1_000_000_000).contains(timestamp.nanos) else {
            let field = name(number)
            throw DomainError.timeOutOfRange(field: field)
        }
    }

    private func nested(_ message: some Message, field number: Int) throws {
        if let timestamp = message as? Google_Protobuf_Timestamp { try checkTimestamp(timestamp, field: number) }
        var visitor = ScreenVisitor(messageType: type(of: message), path: name(number))
        try message.traverse(visitor: &visitor)
    }

    mutating func visitSingularStringField(value: String, fieldNumber: Int) throws { try checkText(value, field: fieldNumber) }
    mutating func visitRepeatedStringField(value: [String], fieldNumber: Int) throws {
        for text in value { try checkText(text, field: fieldNumber) }
    }
    mutating func visitSingularMessageField<M: Message>(value: M, fieldNumber: Int) throws { try nested(value, field: fieldNumber) }
    mutating func visitRepeatedMessageField<M: Message>(value: [M], fieldNumber: Int) throws {
        for message in value { try nested(message, field: fieldNumber) }
    }
    mutating func visitMapField<KeyType, ValueType: MapValueType>(
        fieldType: _ProtobufMap<KeyType, ValueType>.Type, value: _ProtobufMap<KeyType, ValueType>.BaseType, fieldNumber: Int
    ) throws {
        for (key, item) in value {
            if let text = key as? String { try checkText(text, field: fieldNumber) }
            if let text = item as? String { try checkText(text, field: fieldNumber) }
        }
    }
    mutating func visitMapField<KeyType, ValueType>(
        fieldType: _ProtobufEnumMap<KeyType, ValueType>.Type, value: _ProtobufEnumMap<KeyType, ValueType>.BaseType, fieldNumber: Int
    ) throws where ValueType.RawValue == Int {
        for key in value.keys { if let text = key as? String { try checkText(text, field: fieldNumber) } }
    }
    mutating func visitMapField<KeyType, ValueType>(
        fieldType: _ProtobufMessageMap<KeyType, ValueType>.Type, value: _ProtobufMessageMap<KeyType, ValueType>.BaseType, fieldNumber: Int
    ) throws {
        for (key, item) in value {
            if let text = key as? String { try checkText(text, field: fieldNumber) }
            try nested(item, field: fieldNumber)
        }
    }

    // Numbers, booleans, bytes and enums carry nothing this screen refuses.
    mutating func visitSingularDoubleField(value: Double, fieldNumber: Int) throws {}
    mutating func visitSingularInt64Field(value: Int64, fieldNumber: Int) throws {}
    mutating func visitSingularUInt64Field(value: UInt64, fieldNumber: Int) throws {}
    mutating func visitSingularBoolField(value: Bool, fieldNumber: Int) throws {}
    mutating func visitSingularBytesField(value: Data, fieldNumber: Int) throws {}
    mutating func visitSingularEnumField<E: Enum>(value: E, fieldNumber: Int) throws {}
    mutating func visitUnknown(bytes: Data) throws {}
}
