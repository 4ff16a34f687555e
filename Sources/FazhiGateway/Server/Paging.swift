import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation

/// AIP-158 paging: a page size (0 means the default, capped) and an opaque token that
/// carries where the previous page ended.
struct Page {
    static let defaultSize = 50
    static let maximumSize = 500

    let size: Int
    /// The last key of the previous page, if any.
    let after: String?

    init(size: Int32, token: String) throws {
        guard size >= 0 else {
            throw DomainError.pageSizeNegative
        }
        self.size = size == 0 ? Self.defaultSize : min(Int(size), Self.maximumSize)
        if token.isEmpty {
            after = nil
        } else {
            guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("v1:") else {
                throw DomainError.invalidPageToken()
            }
            after = String(text.dropFirst(3))
        }
    }

    /// The token for the page after one ending at `lastKey`; empty when the page was not full.
    func nextToken(count: Int, lastKey: String?) -> String {
        guard count == size, let lastKey else { return "" }
        return Data("v1:\(lastKey)".utf8).base64EncodedString()
    }

    /// Where the previous page of a list ordered by name, then id, ended.
    func afterNameAndID() throws -> (name: String, id: UUID)? {
        guard let after else { return nil }
        let parts = after.split(separator: "\u{1F}", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else {
            throw DomainError.invalidPageToken()
        }
        return (String(parts[0]), id)
    }

    /// The token after a page of a list ordered by name, then id.
    func nextToken(count: Int, lastName: String?, lastID: UUID?) -> String {
        nextToken(count: count, lastKey: lastName.flatMap { name in lastID.map { "\(name)\u{1F}\($0.uuidString)" } })
    }
}
