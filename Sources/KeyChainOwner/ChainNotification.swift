import KeyChainCore

/// What a subscribed connection is told, as the owner decides it; the RPC edge turns it into a
/// notification line on the connection's own event loop, so no encoding runs on the owner.
public enum ChainNotification: Sendable, Hashable {
    /// The best chain has a new tip.
    case tip(height: UInt32, hash: Hash256)
    /// A followed transaction's state changed, or it gained depth.
    case transaction(TransactionStatus)
}
