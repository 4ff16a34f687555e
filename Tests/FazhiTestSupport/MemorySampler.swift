import Foundation

/// Samples this process's resident set size every 20 ms on a thread of its own.
public final class MemorySampler: @unchecked Sendable {
    public init() {}

    private let lock = NSLock()
    private var peak = 0
    private var running = false

    public static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }

    /// Starts sampling; returns the resident size now.
    public func start() -> Int {
        let baseline = Self.residentBytes()
        lock.withLock {
            peak = baseline
            running = true
        }
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                let now = Self.residentBytes()
                lock.withLock { peak = max(peak, now) }
                usleep(20_000)
            }
        }
        return baseline
    }

    /// Stops sampling; returns the peak seen.
    public func stop() -> Int {
        lock.withLock {
            running = false
            return max(peak, Self.residentBytes())
        }
    }
}
