import KeyChainCore

/// What a call that may move the best chain did: blocks connected and disconnected, and puts
/// that can no longer be mined.
public struct ChainUpdate: Sendable {
    /// Blocks connected to the best chain, oldest first.
    public var connected: [Hash256] = []
    /// Blocks taken off the best chain, tip first.
    public var disconnected: [Hash256] = []
    /// The txids of the connected blocks' puts: what the update confirmed.
    public var confirmedTransactions = Set<Hash256>()
    /// The txids of the disconnected blocks' puts: back in the mempool, or evicted.
    public var unconfirmedTransactions: [Hash256] = []
    /// Puts dropped from the mempool, with the rule they now break.
    public var evicted: [EvictedTransaction] = []
    /// Blocks found to break a rule while being connected (their descendants are invalid too).
    public var invalidated: [InvalidBlock] = []
    /// The best chain's tip afterwards.
    public var tip: BlockNode?

    /// Nothing happened yet.
    public init(tip: BlockNode? = nil) { self.tip = tip }

    /// Whether the best chain was reorganised.
    public var isReorganisation: Bool { !disconnected.isEmpty }
}

/// A put the mempool dropped because the best chain changed under it.
public struct EvictedTransaction: Sendable {
    /// The put.
    public let transaction: Transaction
    /// The rule it breaks on the new best chain.
    public let reason: TransactionError
}

/// A block that broke a consensus rule when the chain tried to connect it.
public struct InvalidBlock: Sendable {
    /// The block.
    public let hash: Hash256
    /// The rule it broke.
    public let error: BlockError
}
