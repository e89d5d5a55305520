import KeyChainChain
import KeyChainCore

/// A stored block as `block` reports it: its place in the tree and its body.
public struct BlockReport: Sendable {
    /// The block's header, height and hash.
    public let node: BlockNode
    /// The block itself.
    public let block: Block
    /// Whether it is on the best chain.
    public let onBestChain: Bool
    /// Confirmations on the best chain (1 = the tip), 0 off it.
    public let confirmations: UInt32
}
