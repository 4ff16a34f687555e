import Foundation
import Logging
import NIOSSL
import Synchronization

/// A value made from files that follows them: when one changes on disk (a renewed
/// certificate, an agency's new client CA), the next use gets a value made from the new
/// files, without a restart. The files are looked at, at most every `interval`, when the
/// value is asked for. A change that does not load (a half-written file, a key that does
/// not match) is logged and the previous value kept.
final class ReloadingFiles<Value: Sendable>: Sendable {
    private struct State {
        var value: Value
        var stamps: [Date?]
        var checked: ContinuousClock.Instant
    }

    private let files: [String]
    private let what: String
    private let make: @Sendable () throws -> Value
    private let interval: Duration
    private let logger: Logger
    private let state: Mutex<State>

    /// `files` are every file `make` reads; `what` names the value in the log.
    init(files: [String], what: String, interval: Duration = .seconds(10), logger: Logger, make: @escaping @Sendable () throws -> Value) throws {
        self.files = files
        self.what = what
        self.make = make
        self.interval = interval
        self.logger = logger
        state = Mutex(State(value: try make(), stamps: Self.stamps(files), checked: .now))
    }

    /// The value as the files have it now (as of the last look).
    var current: Value {
        state.withLock { state in
            let now = ContinuousClock.now
            guard now - state.checked >= interval else { return state.value }
            state.checked = now
            reloadIfChanged(&state)
            return state.value
        }
    }

    /// Looks at the files now, whatever the interval.
    func reloadNow() {
        state.withLock { reloadIfChanged(&$0) }
    }

    private func reloadIfChanged(_ state: inout State) {
        let stamps = Self.stamps(files)
        guard stamps != state.stamps else { return }
        do {
            state.value = try make()
            state.stamps = stamps
            logger.notice("\(what) reloaded", metadata: ["files": "\(files.joined(separator: ", "))"])
        } catch {
            // Try again at the next look: the files may still be being written.
            logger.error("\(what) files changed but do not load; the previous ones stay", metadata: ["error": "\(error)"])
        }
    }

    private static func stamps(_ files: [String]) -> [Date?] {
        files.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate]) as? Date }
    }
}

/// A port's TLS context that follows its certificate, key and client CA files; new
/// connections get the new ones, connections already open keep theirs.
typealias ReloadingTLSContext = ReloadingFiles<NIOSSLContext>
