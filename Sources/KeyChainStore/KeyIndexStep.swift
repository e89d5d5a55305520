import KeyChainCore

/// One change to the best chain, as the key index on disk takes it: a block connected on top
/// of the tip, or the tip block disconnected. Its puts were checked when the chain made the
/// change; the database only records them.
public enum KeyIndexStep: Sendable {
    /// `block` became the tip at `height`.
    case apply(Block, hash: Hash256, height: UInt32)
    /// `block`, the tip at `height`, left the best chain.
    case undo(Block, height: UInt32)
}
