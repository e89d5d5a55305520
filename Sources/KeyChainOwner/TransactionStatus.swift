import KeyChainCore

/// Where a transaction stands, as the owner and the published view know it: waiting, confirmed
/// at some depth, refused or evicted with the rule it broke, or never seen. The client API's
/// `TxStatusResult` is made from it at the RPC edge, never here.
public struct TransactionStatus: Sendable, Hashable {
    /// Its state.
    public enum State: Sendable, Hashable {
        /// Waiting in the mempool.
        case pending
        /// In a block on the best chain.
        case confirmed
        /// Refused when submitted.
        case rejected
        /// Dropped from the mempool after the best chain changed under it.
        case evicted
        /// Not known to this node (a `wait_all` answers for every txid it was asked).
        case unknown
    }

    /// Where a confirmed transaction is.
    public struct Confirmation: Sendable, Hashable {
        /// Blocks deep: 1 in the tip.
        public let depth: UInt32
        /// The height of the block that holds it.
        public let height: UInt32
        /// That block's hash.
        public let block: Hash256
    }

    /// The transaction's txid.
    public let txid: Hash256
    /// Its state.
    public let state: State
    /// Where it is, when confirmed.
    public let confirmation: Confirmation?
    /// How it ended, when rejected or evicted.
    public let outcome: TransactionOutcome?

    /// A status of `state`, with where it is confirmed or how it ended.
    init(_ txid: Hash256, _ state: State, confirmation: Confirmation? = nil, outcome: TransactionOutcome? = nil) {
        self.txid = txid
        self.state = state
        self.confirmation = confirmation
        self.outcome = outcome
    }

    /// Blocks deep (0 unless confirmed).
    public var depth: UInt32 { confirmation?.depth ?? 0 }
}
