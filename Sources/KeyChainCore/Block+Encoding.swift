extension Block {
    /// The smallest possible encoded transaction, which bounds how many a byte count can hold.
    public static let minimumTransactionSize = 1 + 1 + 1 + 4 + 32 + 8 + 1 + 64

    /// `header 88 | transaction count u32 | transactions`.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: encodedSize)
        header.encode(to: &writer)
        writer.write(UInt32(transactions.count))
        for transaction in transactions { transaction.encode(to: &writer) }
        return writer.bytes
    }

    /// Decodes exactly one block of at most `maximumSize` bytes.
    public init(decoding bytes: [UInt8], maximumSize: Int = Block.maxEncodedSize) throws(DecodingError) {
        guard bytes.count <= maximumSize else {
            throw .oversized(field: "block", length: bytes.count, maximum: maximumSize)
        }
        var reader = ByteReader(bytes)
        header = try BlockHeader(from: &reader)
        let count = Int(try reader.readUInt32("transaction count"))
        let possible = reader.remaining / Self.minimumTransactionSize
        guard count <= possible else {
            throw .invalidValue(field: "transaction count", reason: "\(count) transactions cannot fit in \(reader.remaining) bytes")
        }
        var transactions: [Transaction] = []
        transactions.reserveCapacity(count)
        for _ in 0..<count { transactions.append(try Transaction(from: &reader)) }
        try reader.expectEnd()
        self.transactions = transactions
    }

    /// The largest block any network may allow: it must fit one 4 MB peer-protocol frame.
    public static let maxEncodedSize = 4_000_000 - 64

    /// The most transactions a block can hold: as many of the smallest as fit the largest block.
    public static let maxTransactions = (maxEncodedSize - BlockHeader.size - 4) / minimumTransactionSize
}
