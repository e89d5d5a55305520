/// What is known about a stored block.
public enum BlockStatus: UInt8, Sendable, Equatable {
    /// The body is stored and passed the checks that need no chain state.
    case stored = 1
    /// The block was connected to the best chain at least once: every rule passed.
    case valid = 2
    /// The block broke a consensus rule; it and its descendants are never connected.
    case invalid = 3
}
