import HashTreeCollections
import KeyChainCore

/// A `Blockchain` seen without the means to change it: what a node's owner and the simulator
/// read (the tip, the headers, the key index, the waiting puts, stored blocks, templates to
/// mine). While a node runs, only its peer protocol changes its chain, and it hands everyone
/// else this (docs/ARCHITECTURE.md §4). Read on the thread that owns the chain.
public struct ReadOnlyChain {
    private let chain: Blockchain

    /// A read-only window on `chain`.
    public init(_ chain: Blockchain) {
        self.chain = chain
    }

    /// The network's rules.
    public var parameters: NetworkParameters { chain.parameters }
    /// Every known header, with the best chain marked.
    public var tree: BlockTree { chain.tree }
    /// The best chain's tip.
    public var tip: BlockNode { chain.tip }
    /// The best chain's height.
    public var height: UInt32 { chain.height }
    /// Every key's versions on the best chain.
    public var keyIndex: KeyIndex { chain.keyIndex }
    /// The puts waiting to be mined, by txid.
    public var mempool: TreeDictionary<Hash256, WaitingPut> { chain.mempool.live }
    /// The last blocks stored, shared with the transport.
    public var recentBlocks: RecentBlocks { chain.recentBlocks }

    /// A stored block by hash.
    public func block(_ hash: Hash256) throws(BlockError) -> Block { try chain.block(hash) }

    /// The best chain's block at `height`.
    public func block(atHeight height: UInt32) throws(BlockError) -> Block? { try chain.block(atHeight: height) }

    /// A block to mine on the tip (`Blockchain.makeTemplate(now:)`).
    public func makeTemplate(now: UInt64? = nil) -> BlockTemplate { chain.makeTemplate(now: now) }

    /// A block to mine on `block`, a checked child of the tip not connected yet
    /// (`Blockchain.makeTemplate(extending:now:)`).
    public func makeTemplate(extending block: Block, now: UInt64? = nil) -> BlockTemplate? {
        chain.makeTemplate(extending: block, now: now)
    }
}
