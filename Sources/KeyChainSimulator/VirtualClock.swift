import Synchronization

/// The simulator's time in milliseconds, readable by every node's chain.
public final class VirtualClock: Sendable {
    private let now: Atomic<UInt64>

    /// A clock starting at `start`.
    public init(start: UInt64) { now = Atomic(start) }

    /// The current time.
    public var milliseconds: UInt64 { now.load(ordering: .relaxed) }

    func set(_ value: UInt64) { now.store(value, ordering: .relaxed) }
}
