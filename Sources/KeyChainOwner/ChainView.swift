import HashTreeCollections
import KeyChainChain
import KeyChainCore

/// What reads see: the state the `ChainOwner` published after its last change. A value whose
/// maps are persistent, so publishing costs a few references and reading takes no lock and
/// waits for nothing: not for validation, signature checks, fsync or a reorganisation, which
/// all happen on the owner's copy.
public struct ChainView: Sendable {
    /// The network's genesis parameters.
    public let parameters: NetworkParameters
    /// The key the node signs `put`s with.
    public let wallet: PublicKey
    /// Key versions on the best chain.
    public internal(set) var keyIndex: KeyIndex
    /// The best chain's tip.
    public internal(set) var tip: BlockNode
    /// Puts waiting for a block, by txid.
    var mempool: TreeDictionary<Hash256, WaitingPut>
    /// Recent refusals and evictions.
    var outcomes: TreeDictionary<Hash256, TransactionOutcome>
    /// Whether the node mines.
    public internal(set) var mining: Bool
    /// Peers that completed the handshake.
    public internal(set) var peers: Int
    /// The highest best height a peer announced.
    public internal(set) var bestKnownHeight: UInt32 = 0
    /// Why the node cannot store blocks, while it cannot.
    public internal(set) var storageFault: String?

    /// The best chain's height.
    public var height: UInt32 { tip.height }

    /// Puts waiting for a block.
    public var mempoolCount: Int { mempool.count }

    /// Whether a peer's best chain is more than `catchUpMargin` blocks ahead: the node is
    /// syncing, not following the tip.
    public var catchingUp: Bool { bestKnownHeight > height && bestKnownHeight - height > Self.catchUpMargin }
    /// How far behind a node may be and still count as at the tip (a block or two in flight).
    static let catchUpMargin: UInt32 = 6

    /// Where a transaction stands, or nil if the node has never seen it.
    public func status(of txid: Hash256) -> TransactionStatus? {
        // Unreadable, the index says nothing: the mempool and the outcomes still may.
        if let (height, block) = try? keyIndex.confirmation(of: txid) {
            let depth = tip.height >= height ? tip.height - height + 1 : 0
            return TransactionStatus(txid, .confirmed, confirmation: TransactionStatus.Confirmation(depth: depth, height: height, block: block))
        }
        if mempool[txid] != nil { return TransactionStatus(txid, .pending) }
        guard let outcome = outcomes[txid] else { return nil }
        return TransactionStatus(txid, outcome.state, outcome: outcome)
    }
}
