import Foundation
import Testing

@testable import FazhiClientVerbs

/// Where the CLI keeps a sign-in, and how it shows progress where nobody watches.
@Suite struct LocalStateTests {
    @Test func theSessionFollowsXDGConfigHomeThenHome() {
        #expect(SavedSession.file(environment: ["XDG_CONFIG_HOME": "/srv/a/config", "HOME": "/home/b"]).path == "/srv/a/config/fazhi/session.json")
        #expect(SavedSession.file(environment: ["HOME": "/home/b"]).path == "/home/b/.config/fazhi/session.json")
        #expect(SavedSession.file(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/home/b"]).path == "/home/b/.config/fazhi/session.json")
        #expect(SavedSession.file(environment: ["XDG_CONFIG_HOME": "", "HOME": "/home/c"]).path == "/home/c/.config/fazhi/session.json")
    }

    @Test func progressIntoALogIsAFewPlainLines() {
        var written: [String] = []
        let bar = ProgressBar(unit: "rows", terminal: false) { written.append($0) }
        let start = ContinuousClock.now
        for second in 0..<30 {
            for step in 0..<10 { bar.show(Int64(second * 10 + step), of: 300, now: start + .seconds(second) + .milliseconds(step * 90)) }
        }
        bar.finish()
        #expect(written.count == 3, "one line every 10 s: \(written)")
        #expect(written.allSatisfy { !$0.contains("\r") && $0.hasSuffix("\n") })
        #expect(written.first == "进度 progress: 0%  0/300 rows\n")
    }

    @Test func progressOnATerminalRedrawsOneLine() {
        var written: [String] = []
        let bar = ProgressBar(unit: "rows", terminal: true) { written.append($0) }
        let start = ContinuousClock.now
        for step in 0..<10 { bar.show(Int64(step), of: 10, now: start + .milliseconds(step * 150)) }
        bar.finish()
        #expect(written.count == 11 && written.allSatisfy { $0.hasPrefix("\r") })
        #expect(written.last == "\r\u{1B}[K")
    }
}
