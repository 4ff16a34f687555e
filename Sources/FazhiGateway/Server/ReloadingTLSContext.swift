import Foundation
import Logging
import NIOSSL
import Synchronization

/// A port's TLS context that follows its files: when the certificate chain, the key or a
/// client CA changes on disk (a renewed certificate, an agency's new client CA), new
/// connections get the new ones without a restart; connections already open keep theirs.
/// The files are looked at, at most every `interval`, when a connection arrives. A change
/// that does not load (a half-written file, a key that does not match) is logged and the
/// previous context kept.
final class ReloadingTLSContext: Sendable {
    private struct State {
        var context: NIOSSLContext
        var stamps: [Date?]
        var checked: ContinuousClock.Instant
    }

    private let files: [String]
    private let make: @Sendable () throws -> NIOSSLContext
    private let interval: Duration
    private let logger: Logger
    private let state: Mutex<State>

    /// `files` are every file `make` reads.
    init(files: [String], interval: Duration = .seconds(10), logger: Logger, make: @escaping @Sendable () throws -> NIOSSLContext) throws {
        self.files = files
        self.make = make
        self.interval = interval
        self.logger = logger
        state = Mutex(State(context: try make(), stamps: Self.stamps(files), checked: .now))
    }

    /// The context for a connection arriving now.
    var current: NIOSSLContext {
        state.withLock { state in
            let now = ContinuousClock.now
            guard now - state.checked >= interval else { return state.context }
            state.checked = now
            reloadIfChanged(&state)
            return state.context
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
            state.context = try make()
            state.stamps = stamps
            logger.notice("TLS certificate reloaded", metadata: ["files": "\(files.joined(separator: ", "))"])
        } catch {
            // Try again at the next look: the files may still be being written.
            logger.error("TLS files changed but do not load; the previous certificate stays", metadata: ["error": "\(error)"])
        }
    }

    private static func stamps(_ files: [String]) -> [Date?] {
        files.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate]) as? Date }
    }
}
