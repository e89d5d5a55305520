import KeyChainCore

/// Opens a round of put reconciliation, in the spirit of BIP330 (Erlay): the sender's waiting
/// puts as 6-byte short ids under a salt chosen for the round. The receiver answers
/// `recondiff` with the ids it lacks and the txids the sender lacks, so one round of two
/// messages mends what lost or skipped announcements left out, both ways.
///
/// `salt u64 | short id count u32 | short ids, 6 bytes each (little-endian)`. A short id is the
/// low 48 bits of SipHash-2-4 of the txid, keyed by the first 16 bytes of SHA-256d(salt): a
/// new salt each round, so two puts whose ids collide in one round are told apart in the next.
/// Unlike BIP330 the set is sent whole rather than as a sketch of the difference: the waiting
/// puts of a network with one-second blocks are few, and a list needs no decoder to trust.
public struct ReconcileMessage: WireMessage {
    public static let command = "reconcile"
    /// The most short ids a round carries: a fuller mempool sends its oldest this many.
    public static let maxShortIDs = InventoryList.maxItems
    public static let maxPayloadLength = 8 + 4 + ShortTransactionIDs.size * maxShortIDs
    /// Chosen by the sender for this round.
    public var salt: UInt64
    /// The sender's waiting puts.
    public var shortIDs: [UInt64]

    public init(salt: UInt64, shortIDs: [UInt64]) {
        self.salt = salt
        self.shortIDs = shortIDs
    }

    /// The SipHash key of a round's short ids.
    public static func shortIDHasher(salt: UInt64) -> SipHash {
        var writer = ByteWriter(capacity: 8)
        writer.write(salt)
        let digest = Hash256(sha256d: writer.bytes).raw
        // The key's two words are bytes 0-7 and 8-15 read little-endian, as in compact blocks.
        return SipHash(k0: digest.w0.byteSwapped, k1: digest.w1.byteSwapped)
    }

    /// A txid's short id in a round.
    public static func shortID(of txid: Hash256, hasher: SipHash) -> UInt64 { ShortTransactionIDs.id(of: txid, hasher: hasher) }

    public func encode(to writer: inout ByteWriter) {
        writer.write(salt)
        ShortTransactionIDs.encode(shortIDs, to: &writer)
    }

    public init(from reader: inout ByteReader) throws(DecodingError) {
        salt = try reader.readUInt64("reconciliation salt")
        shortIDs = try ShortTransactionIDs.decode(from: &reader, limit: Self.maxShortIDs, "short id")
    }
}
