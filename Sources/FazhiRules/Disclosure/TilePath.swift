import Foundation

/// A tile of the C2SP tlog-tiles layout (c2sp.org/tlog-tiles): `tile/<L>/<N>[.p/<W>]` for
/// hash tiles, `tile/entries/<N>[.p/<W>]` for entry bundles. A full tile holds 256
/// hashes of tree level 8·L (or 256 entries); a partial one the first W. N is written in
/// groups of three digits, all but the last prefixed with "x".
public struct TilePath: Sendable, Equatable {
    public static let height = 8
    public static let width = 1 << height

    public enum Kind: Sendable, Equatable {
        case hashes(level: Int)
        case entries
    }

    public var kind: Kind
    public var index: Int
    /// 1…255 for a partial tile; 256 for a full one.
    public var width: Int

    public init(kind: Kind, index: Int, width: Int = TilePath.width) {
        self.kind = kind
        self.index = index
        self.width = width
    }

    /// Parses the part of a URL path after `tile/`.
    public init?(_ path: Substring) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        var width = Self.width
        if parts.count >= 2, parts[parts.count - 2].hasSuffix(".p") {
            let text = parts.removeLast()
            guard let w = Int(text), String(w) == text, (1..<Self.width).contains(w) else { return nil }
            width = w
            parts[parts.count - 1] = parts[parts.count - 1].dropLast(2)
        }
        guard let first = parts.first, parts.count >= 2 else { return nil }
        let kind: Kind
        if first == "entries" {
            kind = .entries
        } else if let level = Int(first), String(level) == first, (0...63).contains(level) {
            kind = .hashes(level: level)
        } else {
            return nil
        }
        var index = 0
        for (position, group) in parts.dropFirst().enumerated() {
            let last = position == parts.count - 2
            let digits = last ? group : (group.hasPrefix("x") ? group.dropFirst() : "")
            guard digits.count == 3, let value = Int(digits), digits.allSatisfy(\.isASCII), index < Int.max / 1000 else { return nil }
            index = index * 1000 + value
        }
        self.init(kind: kind, index: index, width: width)
    }

    public var path: String {
        var groups = [String(format: "%03d", index % 1000)]
        var rest = index / 1000
        while rest > 0 {
            groups.insert(String(format: "x%03d", rest % 1000), at: 0)
            rest /= 1000
        }
        let head: String
        switch kind {
        case .hashes(let level): head = "tile/\(level)/"
        case .entries: head = "tile/entries/"
        }
        return head + groups.joined(separator: "/") + (width < Self.width ? ".p/\(width)" : "")
    }

    /// The stored subtrees a hash tile lists, in order.
    public var nodes: [MerkleNode] {
        guard case .hashes(let level) = kind else { return [] }
        return (0..<width).map { MerkleNode(level: level * Self.height, index: index * Self.width + $0) }
    }

    /// The tile of `kind` and `index` as a tree of `size` leaves has it: full, partial, or
    /// none yet.
    public static func available(_ kind: Kind, index: Int, treeSize size: Int) -> TilePath? {
        let level: Int
        switch kind {
        case .hashes(let tileLevel): level = tileLevel * height
        case .entries: level = 0
        }
        let count = level >= Int.bitWidth - 1 ? 0 : size >> level  // complete subtrees at that level
        // Compared by division first: a requested index can be far larger than any tree.
        guard index >= 0, index <= count / Self.width else { return nil }
        let width = min(Self.width, count - index * Self.width)
        return width > 0 ? TilePath(kind: kind, index: index, width: width) : nil
    }
}
