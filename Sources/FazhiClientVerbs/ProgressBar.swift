import Foundation

/// A one-line progress bar on standard error, redrawn in place.
public final class ProgressBar: @unchecked Sendable {
    private var bytes = 0
    private var last = ContinuousClock.now - .seconds(1)

    private let unit: String

    public init(unit: String = "行 rows") { self.unit = unit }

    /// `bytes` adds to the total shown; nil shows none.
    public func show(_ done: Int64, of total: Int64, bytes chunk: Int? = nil) {
        bytes += chunk ?? 0
        guard ContinuousClock.now - last > .milliseconds(100) else { return }
        last = .now
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int(fraction * 30)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
        let size = chunk == nil ? "" : String(format: "  %.1f MiB", Double(bytes) / 1_048_576)
        FileHandle.standardError.write(Data(String(format: "\r%@ %3.0f%%  %lld/%lld %@%@", bar, fraction * 100, done, total, unit, size).utf8))
    }

    public func finish() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
}
