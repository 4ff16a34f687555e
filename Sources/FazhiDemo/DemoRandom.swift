import FazhiRules
import FazhiUseCases

/// The demo's seeded randomness, so the same seed always makes the same demo: the tests
/// and the docs can name what it holds.
struct DemoRandom: RandomNumberGenerator {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { generator.next() }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &self)] }

    /// `count` distinct elements of `values`, in random order.
    mutating func sample<T>(_ values: [T], _ count: Int) -> [T] { Array(values.shuffled(using: &self).prefix(count)) }
}
