import Synchronization

/// The `ChainView` the owner last published. The lock is held only to copy or replace a few
/// references: a reader never waits for the owner's work, only for another reader's copy.
final class PublishedView: Sendable {
    private let state: Mutex<ChainView>

    init(_ view: ChainView) { state = Mutex(view) }

    /// The latest view.
    var current: ChainView { state.withLock { $0 } }

    /// Replaces the view.
    func publish(_ view: ChainView) { state.withLock { $0 = view } }
}
