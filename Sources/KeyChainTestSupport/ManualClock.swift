import Synchronization

/// A clock that tests move by hand, in milliseconds since the Unix epoch.
public final class ManualClock: Sendable {
    private let now: Mutex<UInt64>

    /// A clock reading `start`.
    public init(start: UInt64 = TestNetwork.createdAt + 1_000_000) { now = Mutex(start) }

    /// The current reading.
    public var milliseconds: UInt64 { now.withLock { $0 } }

    /// Moves the clock forward.
    public func advance(by milliseconds: UInt64) { now.withLock { $0 += milliseconds } }

    /// The clock as the closure a `Blockchain` takes.
    public var function: @Sendable () -> UInt64 { { [self] in milliseconds } }
}
