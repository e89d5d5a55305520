/// A header and the transactions it commits to, in the order they are applied.
public struct Block: Hashable, Sendable {
    /// Proof of work and the links to the parent and to the transactions.
    public var header: BlockHeader
    /// The puts, applied in order.
    public var transactions: [Transaction]

    /// Builds a block; the header's merkle root is not checked here (validation does that).
    public init(header: BlockHeader, transactions: [Transaction]) {
        self.header = header
        self.transactions = transactions
    }

    /// The block's id: its header hash.
    public var hash: Hash256 { header.hash }

    /// The merkle root of the transactions' txids.
    public var computedMerkleRoot: Hash256 { MerkleTree.root(transactions.map(\.id)) }

    /// Size of the full encoding.
    public var encodedSize: Int { BlockHeader.size + 4 + transactions.reduce(0) { $0 + $1.encodedSize } }
}
