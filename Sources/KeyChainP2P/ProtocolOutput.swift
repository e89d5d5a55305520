import KeyChainChain
import KeyChainCore
import KeyChainWire

/// What handling one event produced: the actions for the transport, and what the event did to
/// the chain, so that the node settles waiters, notifies subscribers and moves metrics for a
/// peer's block exactly as for its own.
public struct ProtocolOutput: Sendable {
    /// What to send, dial or close, in order.
    public var actions: [ProtocolAction] = []
    /// Every move of the best chain, in order: the node's own block, or blocks from peers.
    public var chainUpdates: [ChainUpdate] = []
    /// Puts from peers that joined the mempool, in order (a client's own is the event itself).
    public var admitted: [Hash256] = []
    /// Why the chain refused the event's own block (`.mined`) or put (`.submitted`); nil when
    /// it was taken, or for other events.
    public var refusal: Refusal?
    /// Why a block (the node's own or a peer's) could not be stored, if one could not: the
    /// node's disk, not the block, is at fault.
    public var storageFault: String?

    /// Why a mined block or a submitted put was refused.
    public enum Refusal: Error, Sendable {
        /// The chain refused the mined block.
        case block(BlockError)
        /// The mempool refused the put (duplicate, replay, conflict, not the owner...).
        case transaction(TransactionError)
    }

    /// Nothing yet.
    public init() {}
}
