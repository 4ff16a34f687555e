import FazhiTestSupport
import Foundation

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current = Locked(Date())
    var now: Date { current.current }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
