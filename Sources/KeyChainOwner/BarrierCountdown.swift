import NIOConcurrencyHelpers

/// A barrier across the owner's lanes: one part waits in each lane, and the last part reached
/// says the barrier has passed (`OwnerMailbox.postBarrier`).
final class BarrierCountdown: Sendable {
    private let remaining: NIOLockedValueBox<Int>
    private let passed: @Sendable () -> Void

    /// A barrier of `parts` parts that calls `passed` when the last is reached.
    init(parts: Int, passed: @escaping @Sendable () -> Void) {
        remaining = NIOLockedValueBox(parts)
        self.passed = passed
    }

    /// One part was reached.
    func arrive() {
        let left = remaining.withLockedValue { count -> Int in
            count -= 1
            return count
        }
        if left == 0 { passed() }
    }
}
