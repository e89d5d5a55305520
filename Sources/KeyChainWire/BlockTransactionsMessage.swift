import KeyChainCore

/// The puts a `getblocktxn` asked for, in the order asked. BIP152's `blocktxn`:
/// `block hash 32 | count u32 | transactions (§2)`.
public struct BlockTransactionsMessage: WireMessage {
    public static let command = "blocktxn"
    public static let maxPayloadLength = 4_000_000
    /// The block.
    public var block: Hash256
    /// The puts.
    public var transactions: [Transaction]

    public init(block: Hash256, transactions: [Transaction]) {
        self.block = block
        self.transactions = transactions
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(block)
        writer.write(UInt32(truncatingIfNeeded: transactions.count))
        for transaction in transactions { transaction.encode(to: &writer) }
    }

    public init(from reader: inout ByteReader) throws(DecodingError) {
        block = try reader.readHash("block hash")
        let count = Int(try reader.readUInt32("transaction count"))
        guard count <= Block.maxTransactions, count * Block.minimumTransactionSize <= reader.remaining else {
            throw .invalidValue(field: "transaction count", reason: "\(count) transactions cannot fit a block or the \(reader.remaining) bytes left")
        }
        transactions = []
        transactions.reserveCapacity(count)
        for _ in 0..<count { transactions.append(try Transaction(from: &reader)) }
    }
}
