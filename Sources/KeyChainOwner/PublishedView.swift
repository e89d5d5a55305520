import NIOConcurrencyHelpers

/// The `ChainView` the owner last published. The lock is held only to copy or replace a few
/// references: a reader never waits for the owner's work, only for another reader's copy.
///
/// A replaced view is freed by the owner, outside the lock, one publication later. Freeing
/// the tree nodes that only an old view still holds takes up to half a millisecond during a
/// sync; under the lock every `get` in that time would wait for it, and a reader holding the
/// last reference would pay for it itself. Kept one publication longer, the old view outlives
/// every short read that copied it.
final class PublishedView: Sendable {
    private struct State {
        var current: ChainView
        var retired: ChainView?
    }

    private let state: NIOLockedValueBox<State>

    init(_ view: ChainView) { state = NIOLockedValueBox(State(current: view, retired: nil)) }

    /// The latest view.
    var current: ChainView { state.withLockedValue { $0.current } }

    /// Replaces the view; the one replaced before it is freed here, after the lock is let go.
    func publish(_ view: ChainView) {
        // The discarded result, the view retired before, is released after the lock is let go.
        _ = state.withLockedValue { state -> ChainView? in
            defer { (state.retired, state.current) = (state.current, view) }
            return state.retired
        }
    }
}
