import KeyChainCore

/// Asks for the puts of a block at the given positions: those a compact block named by short
/// id that the receiver could not find. BIP152's `getblocktxn`:
/// `block hash 32 | count u32 | position deltas u32` (each position less the one before, less one).
public struct GetBlockTransactionsMessage: WireMessage {
    public static let command = "getblocktxn"
    public static let maxPayloadLength = 32 + 4 + 4 * Block.maxTransactions
    /// The block.
    public var block: Hash256
    /// The positions wanted, increasing.
    public var indexes: [Int]

    public init(block: Hash256, indexes: [Int]) {
        self.block = block
        self.indexes = indexes
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(block)
        TransactionIndexes.encode(indexes, to: &writer)
    }

    public init(from reader: inout ByteReader) throws(DecodingError) {
        block = try reader.readHash("block hash")
        indexes = try TransactionIndexes.decode(from: &reader, limit: Block.maxTransactions, "position")
    }
}
