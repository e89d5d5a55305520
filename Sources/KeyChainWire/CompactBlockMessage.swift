import KeyChainCore

/// A block as BIP152 relays it: its header, a nonce, a 6-byte short id for each put the
/// receiver probably holds already, and the others whole. The receiver rebuilds the block from
/// its mempool and asks for what it lacks with `getblocktxn`.
///
/// `header 88 | nonce u64 | short id count u32 | short ids, 6 bytes each (little-endian) |
///  prefilled count u32 | prefilled: position delta u32, transaction (§2)`. A short id is the
/// low 48 bits of SipHash-2-4 of the txid, keyed by the first 16 bytes of SHA-256d(header |
/// nonce): the nonce makes the ids differ per sender, so a collision made on purpose against
/// one peer's ids misses the others.
public struct CompactBlockMessage: WireMessage {
    public static let command = "cmpctblock"
    public static let maxPayloadLength = 4_000_000
    /// The block's header.
    public var header: BlockHeader
    /// Chosen by the sender for this message.
    public var nonce: UInt64
    /// The short ids of the puts not prefilled, in block order.
    public var shortIDs: [UInt64]
    /// The puts sent whole, by increasing position.
    public var prefilled: [PrefilledTransaction]

    public init(header: BlockHeader, nonce: UInt64, shortIDs: [UInt64], prefilled: [PrefilledTransaction]) {
        self.header = header
        self.nonce = nonce
        self.shortIDs = shortIDs
        self.prefilled = prefilled
    }

    /// `block` with the puts at `prefilling` sent whole and the rest by short id.
    public init(block: Block, nonce: UInt64, prefilling: Set<Int> = []) {
        self.init(block: block, nonce: nonce, shortIDs: Self.shortIDs(of: block, nonce: nonce), prefilling: prefilling)
    }

    /// The same from `shortIDs`, every put's short id under `nonce` (`shortIDs(of:nonce:)`):
    /// a node sending one block to several peers hashes its txids once.
    public init(block: Block, nonce: UInt64, shortIDs all: [UInt64], prefilling: Set<Int>) {
        header = block.header
        self.nonce = nonce
        shortIDs = []
        prefilled = []
        shortIDs.reserveCapacity(block.transactions.count - prefilling.count)
        for (index, transaction) in block.transactions.enumerated() {
            if prefilling.contains(index) {
                prefilled.append(PrefilledTransaction(index: index, transaction: transaction))
            } else {
                shortIDs.append(all[index])
            }
        }
    }

    /// Every put's short id in `block` under `nonce`, in block order.
    public static func shortIDs(of block: Block, nonce: UInt64) -> [UInt64] {
        let hasher = shortIDHasher(header: block.header, nonce: nonce)
        return block.transactions.map { shortID(of: $0.id, hasher: hasher) }
    }

    /// The payload's size, without encoding it.
    public var encodedSize: Int {
        Self.encodedSize(shortIDs: shortIDs.count) + prefilled.reduce(0) { $0 + 4 + $1.transaction.encodedSize }
    }

    /// The size of a compact block of `count` short ids and nothing prefilled: the least a
    /// block of that many puts can travel in.
    public static func encodedSize(shortIDs count: Int) -> Int { BlockHeader.size + 8 + 4 + 6 * count + 4 }

    /// How many puts the block holds.
    public var transactionCount: Int { shortIDs.count + prefilled.count }

    /// The hash that makes this message's short ids.
    public var shortIDHasher: SipHash { Self.shortIDHasher(header: header, nonce: nonce) }

    /// The SipHash key of a block's short ids under `nonce`.
    public static func shortIDHasher(header: BlockHeader, nonce: UInt64) -> SipHash {
        var writer = ByteWriter(capacity: BlockHeader.size + 8)
        header.encode(to: &writer)
        writer.write(nonce)
        let digest = Hash256(sha256d: writer.bytes).raw
        // The key's two words are bytes 0-7 and 8-15 read little-endian.
        return SipHash(k0: digest.w0.byteSwapped, k1: digest.w1.byteSwapped)
    }

    /// A txid's short id: the low 48 bits of its SipHash.
    public static func shortID(of txid: Hash256, hasher: SipHash) -> UInt64 { ShortTransactionIDs.id(of: txid, hasher: hasher) }

    public func encode(to writer: inout ByteWriter) {
        header.encode(to: &writer)
        writer.write(nonce)
        ShortTransactionIDs.encode(shortIDs, to: &writer)
        writer.write(UInt32(truncatingIfNeeded: prefilled.count))
        var next = 0
        for entry in prefilled {
            writer.write(UInt32(truncatingIfNeeded: entry.index - next))
            next = entry.index + 1
            entry.transaction.encode(to: &writer)
        }
    }

    public init(from reader: inout ByteReader) throws(DecodingError) {
        header = try BlockHeader(from: &reader)
        nonce = try reader.readUInt64("compact block nonce")
        shortIDs = try ShortTransactionIDs.decode(from: &reader, limit: Block.maxTransactions, "short id")
        let shortCount = shortIDs.count
        let prefilledCount = Int(try reader.readUInt32("prefilled count"))
        let total = shortCount + prefilledCount
        guard total <= Block.maxTransactions else {
            throw .invalidValue(field: "prefilled count", reason: "\(total) puts in all is more than a block holds (\(Block.maxTransactions))")
        }
        prefilled = []
        for _ in 0..<prefilledCount {
            let delta = try reader.readUInt32("prefilled position")
            let index = try TransactionIndexes.next(after: prefilled.last?.index, delta: delta, limit: total, "prefilled position")
            prefilled.append(PrefilledTransaction(index: index, transaction: try Transaction(from: &reader)))
        }
    }
}
