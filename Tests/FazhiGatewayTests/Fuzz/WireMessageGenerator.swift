import Foundation
import SwiftProtobuf

/// SplitMix64: a small, fast generator whose sequence depends only on its seed, so a fuzz
/// run is repeated exactly by its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Request bytes for any message of the descriptor set, built field by field from its
/// descriptor with extreme and malformed values: integer limits, negative sizes, far
/// timestamps, text with NUL, megabyte strings, random bytes, unknown enum numbers; and
/// now and then bytes that are no message at all. `known` values (real ids and codes of the
/// test's agency) let calls get past the first lookup.
struct WireMessageGenerator {
    let messages: [String: Google_Protobuf_DescriptorProto]
    let known: [String]

    init(descriptors: Google_Protobuf_FileDescriptorSet, known: [String]) {
        var messages: [String: Google_Protobuf_DescriptorProto] = [:]
        func add(_ message: Google_Protobuf_DescriptorProto, scope: String) {
            let name = "\(scope).\(message.name)"
            messages[name] = message
            for nested in message.nestedType { add(nested, scope: name) }
        }
        for file in descriptors.file {
            for message in file.messageType { add(message, scope: file.package.isEmpty ? "" : ".\(file.package)") }
        }
        self.messages = messages
        self.known = known
    }

    static let integers: [Int64] = [
        0, 1, -1, 2, 3, 7, 20, 100, 101, 1000, 1001, 2000, 2023, 2024, 2100, 4096, 65_536,
        Int64(Int32.max), Int64(Int32.min), Int64(Int32.max) + 1, 1 << 48, 1 << 53, -(1 << 53),
        Int64.max, Int64.min, Int64.max - 1, Int64.min + 1,
    ]

    static let timestampSeconds: [Int64] = [
        0, 1_700_000_000, -1, Int64.max, Int64.min, -62_135_596_801, 253_402_300_800, -62_135_596_800, 253_402_300_799,
    ]

    func texts(_ random: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<100, using: &random) {
        case 0: return String(repeating: "长", count: (1 << 20) / 3 + 1)  // a megabyte
        case 1..<4: return String(repeating: "a", count: Int.random(in: 2_700...9_000, using: &random))  // past a btree row
        case 4..<30: return known.randomElement(using: &random) ?? ""
        case 30..<40: return (known.randomElement(using: &random) ?? "") + "\0"
        default:
            return [
                "", "x", "\0", "admin\0", "411202-MZ\0", "0000-01-01", "9999-12-31", "2023-02-30", "2023-06-01", "1899-12-31", "2100-01-01",
                "-1", "99999999999999999999", "penalty", "licensing", "person", "organization", "institution", "decision", "csv", "xlsx", "json",
                "html", "approve", "return", "reject", "active", "suspend", UUID().uuidString, UUID().uuidString.lowercased(), "丁萱",
                "住湖滨区幸福路12号", "😀", "\u{FFFD}", "%00", "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", " ",
                "Bearer", "v1:", "djE6", "\u{202E}", "ab\u{0}cd", String(repeating: "0", count: 64), "411202", "411202-MZ-2023-00001",
            ].randomElement(using: &random)!
        }
    }

    /// A value a real client might send for a field of this name, so calls get past their
    /// first check and reach deeper (the names follow the project's conventions; a field
    /// of a new name still gets the extreme values).
    func plausibleText(_ name: String, _ random: inout SeededGenerator) -> String? {
        if name.hasSuffix("agency_code") { return known.first }
        if name == "username" { return ["admin", "li", "wang", "zhang", "zhao"].randomElement(using: &random) }
        if name.hasSuffix("_id") || name == "id" || name.hasSuffix("_ids") {
            return (known.filter { UUID(uuidString: $0) != nil } + [UUID().uuidString.lowercased()]).randomElement(using: &random)
        }
        if name == "day" || name.hasSuffix("_on") || name.hasSuffix("_day") || name == "from" || name == "until" {
            return ["2023-06-01", "2026-12-07", "1900-01-01", "2099-12-31", "1899-12-31", "2100-01-01", "0000-01-01", "9999-12-31", "2023-02-29"]
                .randomElement(using: &random)
        }
        if name == "number" || name.hasSuffix("_number") { return known.first { $0.contains("-20") } }
        return nil
    }

    func plausibleInteger(_ name: String, _ random: inout SeededGenerator) -> Int64? {
        switch name {
        case "year": return [1899, 1900, 2000, 2023, 2026, 2099, 2100, 9999, -1].randomElement(using: &random)
        case "count", "page_size": return [1, 2, 100, 500, 501, 1000, 1001].randomElement(using: &random)
        case "score": return [0, 60, 100, 101, -1].randomElement(using: &random)
        default: return nil
        }
    }

    /// The encoded message `typeName` (".fazhi.v1.X"), or random bytes 1 time in 20.
    func request(_ typeName: String, random: inout SeededGenerator) -> [UInt8] {
        if Int.random(in: 0..<20, using: &random) == 0 {
            return (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        return message(typeName, depth: 0, random: &random)
    }

    func message(_ typeName: String, depth: Int, random: inout SeededGenerator) -> [UInt8] {
        if typeName == ".google.protobuf.Timestamp" { return timestamp(&random) }
        guard let descriptor = messages[typeName] else { return [] }
        var out: [UInt8] = []
        for field in descriptor.field where Int.random(in: 0..<10, using: &random) < 7 {
            let count = field.label == .repeated ? Int.random(in: 0...3, using: &random) : 1
            for _ in 0..<count { encode(field, depth: depth, into: &out, random: &random) }
        }
        return out
    }

    private func timestamp(_ random: inout SeededGenerator) -> [UInt8] {
        var out: [UInt8] = []
        Self.tag(1, wireType: 0, into: &out)
        Self.varint(UInt64(bitPattern: Self.timestampSeconds.randomElement(using: &random)!), into: &out)
        Self.tag(2, wireType: 0, into: &out)
        let nanos: Int64 = [0, 999_999_999, 1_000_000_000, -1, Int64(Int32.max), Int64(Int32.min)].randomElement(using: &random)!
        Self.varint(UInt64(bitPattern: nanos), into: &out)
        return out
    }

    private func encode(_ field: Google_Protobuf_FieldDescriptorProto, depth: Int, into out: inout [UInt8], random: inout SeededGenerator) {
        let number = Int(field.number)
        let integer = Bool.random(using: &random) ? Self.integers.randomElement(using: &random)! : Int64(bitPattern: random.next())
        switch field.type {
        case .int32, .int64, .uint32, .uint64, .enum:
            Self.tag(number, wireType: 0, into: &out)
            let plausible = Bool.random(using: &random) ? plausibleInteger(field.name, &random) : nil
            Self.varint(UInt64(bitPattern: plausible ?? integer), into: &out)
        case .bool:
            Self.tag(number, wireType: 0, into: &out)
            Self.varint(UInt64.random(in: 0...2, using: &random), into: &out)
        case .sint32, .sint64:
            Self.tag(number, wireType: 0, into: &out)
            Self.varint(UInt64(bitPattern: (integer << 1) ^ (integer >> 63)), into: &out)
        case .fixed32, .sfixed32, .float:
            Self.tag(number, wireType: 5, into: &out)
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: integer).littleEndian) { out.append(contentsOf: $0) }
        case .fixed64, .sfixed64, .double:
            Self.tag(number, wireType: 1, into: &out)
            let value =
                field.type == .double
                ? [Double.nan, .infinity, -.infinity, 1e308, -0.0].randomElement(using: &random)!.bitPattern : UInt64(bitPattern: integer)
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        case .string:
            let text = Bool.random(using: &random) ? plausibleText(field.name, &random) ?? texts(&random) : texts(&random)
            Self.lengthDelimited(number, Array(text.utf8), into: &out)
        case .bytes:
            let bytes = (0..<[0, 1, 32, Int.random(in: 0...200, using: &random)].randomElement(using: &random)!).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            Self.lengthDelimited(number, bytes, into: &out)
        case .message, .group:
            Self.lengthDelimited(number, depth < 4 ? message(field.typeName, depth: depth + 1, random: &random) : [], into: &out)
        }
    }

    static func tag(_ number: Int, wireType: UInt64, into out: inout [UInt8]) { varint(UInt64(number) << 3 | wireType, into: &out) }

    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    static func lengthDelimited(_ number: Int, _ bytes: [UInt8], into out: inout [UInt8]) {
        tag(number, wireType: 2, into: &out)
        varint(UInt64(bytes.count), into: &out)
        out += bytes
    }
}
