import Dispatch
import Synchronization

/// What wakes the owner when its earliest timer is due: the owner's one source of time-driven
/// work, injected so that tests drive the owner on a manual clock (they call
/// `ChainOwner.fireDueTimers` themselves and need no wakeup at all).
protocol OwnerWakeup: Sendable {
    /// Wakes the owner in `milliseconds` (its earliest deadline moved, or a wakeup fired);
    /// a wakeup already due sooner stands.
    func wake(in milliseconds: UInt64)
    /// No more wakeups: the owner has stopped.
    func cancel()
}

/// The node's wakeup: a dispatch after the delay, whose firing is posted to the owner's first
/// lane (`fire`), so a timer reaches the owner as any other message does. A wakeup made stale
/// by a sooner one holds nothing but a weak reference until it lapses.
final class DispatchWakeup: OwnerWakeup {
    private struct Armed {
        var at: DispatchTime?
        var generation: UInt64 = 0
        var cancelled = false
    }

    private let armed = Mutex(Armed())
    private let fire: @Sendable () -> Void

    /// A wakeup that calls `fire` when due.
    init(fire: @escaping @Sendable () -> Void) { self.fire = fire }

    func wake(in milliseconds: UInt64) {
        let at = DispatchTime.now() + .milliseconds(Int(min(milliseconds, 86_400_000)))
        let generation: UInt64? = armed.withLock { armed in
            guard !armed.cancelled, armed.at.map({ at < $0 }) ?? true else { return nil }
            armed.at = at
            armed.generation += 1
            return armed.generation
        }
        guard let generation else { return }
        DispatchQueue.global().asyncAfter(deadline: at) { [weak self] in
            guard let self else { return }
            let current = armed.withLock { armed in
                guard !armed.cancelled, armed.generation == generation else { return false }
                armed.at = nil
                return true
            }
            if current { fire() }
        }
    }

    func cancel() { armed.withLock { $0.cancelled = true } }
}
