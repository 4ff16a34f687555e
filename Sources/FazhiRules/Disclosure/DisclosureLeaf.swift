import Foundation

/// What the log commits to for an entry: a few lines of UTF-8 text, the same for every
/// verifier (documented in docs/DISCLOSURE-LOG.md). It holds the hash of the content,
/// never the content, so a lawful withdrawal erases the content and the log still
/// verifies.
///
///     fazhi-disclosure/v1
///     origin <the log's origin>
///     entry <uuid>
///     action publish|withdraw|correct
///     kind <kind>
///     subject <subject>
///     refers <uuid or ->
///     published <UTC time, RFC 3339, microseconds>
///     content-sha256 <64 hex digits>
public struct DisclosureLeaf: Sendable, Equatable {
    public var encoded: Data

    public init(_ entry: DisclosureEntry, origin: String) {
        let published = entry.publishedAt.map(Self.timestamp) ?? "-"
        let text = """
            fazhi-disclosure/v1
            origin \(origin)
            entry \(entry.id.uuidString.lowercased())
            action \(entry.action.rawValue)
            kind \(entry.kind.rawValue)
            subject \(Self.oneLine(entry.subject))
            refers \(entry.refersTo?.uuidString.lowercased() ?? "-")
            published \(published)
            content-sha256 \(entry.contentSHA256.map { String(format: "%02x", $0) }.joined())

            """
        encoded = Data(text.utf8)
    }

    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }

    /// 2023-03-01T08:00:00.000000Z: microseconds, as PostgreSQL keeps them.
    public static func timestamp(_ date: Date) -> String {
        let (seconds, micros) = microseconds(date)
        let whole = Date(timeIntervalSince1970: TimeInterval(seconds))
        let base = whole.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)).replacingOccurrences(of: "Z", with: "")
        return base + String(format: ".%06dZ", micros)
    }

    /// The instant a `timestamp` names, or nil.
    public static func date(_ text: String) -> Date? {
        guard text.count == 27, text.hasSuffix("Z"), let micros = Int(text.dropLast().suffix(6)),
            let whole = try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(String(text.prefix(19)) + "Z")
        else { return nil }
        return Date(timeIntervalSince1970: whole.timeIntervalSince1970 + Double(micros) / 1_000_000)
    }

    /// Whole seconds and microseconds, rounded the way timestamptz stores them.
    static func microseconds(_ date: Date) -> (seconds: Int64, micros: Int) {
        let value = date.timeIntervalSince1970
        var whole = value.rounded(.down)
        var fraction = Int(((value - whole) * 1_000_000).rounded())
        if fraction == 1_000_000 {
            whole += 1
            fraction = 0
        }
        return (Int64(whole), fraction)
    }

    /// `date` at the precision a log leaf and the database keep.
    public static func truncated(_ date: Date) -> Date {
        let (seconds, micros) = microseconds(date)
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    public var leafHash: Data { MerkleTree.leafHash(encoded) }
}
