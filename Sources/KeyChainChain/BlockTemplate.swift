import KeyChainCore

/// A block to mine: the header (nonce 0) on top of the current tip and the puts it commits to.
public struct BlockTemplate: Sendable {
    /// The header to search nonces for.
    public var header: BlockHeader
    /// The puts, a prefix of the mempool.
    public var transactions: [Transaction]
    /// The height the block will have.
    public var height: UInt32
    /// The target the header carries, decoded: what the nonce must meet.
    public var target: Target

    /// The block with a found nonce.
    public func block(nonce: UInt64) -> Block {
        var sealed = header
        sealed.nonce = nonce
        return Block(header: sealed, transactions: transactions)
    }
}
