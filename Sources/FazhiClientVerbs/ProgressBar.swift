import Foundation

/// Progress on standard error: on a terminal, a one-line bar redrawn in place; otherwise
/// (a log, a pipe) a plain line at most every `lineInterval`, so a redirected log holds a
/// few readable lines instead of dozens of carriage-return frames.
public final class ProgressBar: @unchecked Sendable {
    private var bytes = 0
    private var last: ContinuousClock.Instant?
    private let unit: String
    private let terminal: Bool
    private let write: (String) -> Void

    public static let lineInterval: Duration = .seconds(10)

    public convenience init(unit: String = "行 rows") {
        self.init(unit: unit, terminal: isatty(STDERR_FILENO) == 1) { FileHandle.standardError.write(Data($0.utf8)) }
    }

    init(unit: String, terminal: Bool, write: @escaping (String) -> Void) {
        self.unit = unit
        self.terminal = terminal
        self.write = write
    }

    /// `bytes` adds to the total shown; nil shows none.
    public func show(_ done: Int64, of total: Int64, bytes chunk: Int? = nil, now: ContinuousClock.Instant = .now) {
        bytes += chunk ?? 0
        if let last, now - last < (terminal ? .milliseconds(100) : Self.lineInterval) { return }
        last = now
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let size = chunk == nil ? "" : String(format: "  %.1f MiB", Double(bytes) / 1_048_576)
        let figures = String(format: "%3.0f%%  %lld/%lld %@%@", fraction * 100, done, total, unit, size)
        if terminal {
            let filled = Int(fraction * 30)
            write("\r" + String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled) + " " + figures)
        } else {
            write("进度 progress: " + figures.trimmingCharacters(in: .whitespaces) + "\n")
        }
    }

    public func finish() { if terminal { write("\r\u{1B}[K") } }
}
