import KeyChainCore

/// The answer to `reconcile`: the short ids of that round the receiver lacks (the opener
/// sends those puts as `tx`) and the txids of the receiver's waiting puts that the round did
/// not name (the opener asks for those it wants with `getdata`).
///
/// `salt u64 | wanted count u32 | wanted short ids, 6 bytes each | offered count u32 |
///  offered txids, 32 bytes each`. The salt is the round's, so a late answer is not taken for
/// another round's.
public struct ReconcileDifferenceMessage: WireMessage {
    public static let command = "recondiff"
    /// The most ids either list holds.
    public static let maxItems = ReconcileMessage.maxShortIDs
    public static let maxPayloadLength = 8 + 4 + ShortTransactionIDs.size * maxItems + 4 + 32 * maxItems
    /// The round being answered.
    public var salt: UInt64
    /// Short ids of the round that the answering node lacks.
    public var wanted: [UInt64]
    /// Waiting puts of the answering node that the round did not name.
    public var offered: [Hash256]

    public init(salt: UInt64, wanted: [UInt64], offered: [Hash256]) {
        self.salt = salt
        self.wanted = wanted
        self.offered = offered
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(salt)
        ShortTransactionIDs.encode(wanted, to: &writer)
        writer.write(UInt32(truncatingIfNeeded: offered.count))
        for txid in offered { writer.write(txid) }
    }

    public init(from reader: inout ByteReader) throws(DecodingError) {
        salt = try reader.readUInt64("reconciliation salt")
        wanted = try ShortTransactionIDs.decode(from: &reader, limit: Self.maxItems, "wanted short id")
        let count = Int(try reader.readUInt32("offered count"))
        guard count <= Self.maxItems, count * 32 <= reader.remaining else {
            throw .invalidValue(field: "offered count", reason: "\(count) txids is more than \(Self.maxItems) or the \(reader.remaining) bytes left hold")
        }
        offered = []
        offered.reserveCapacity(count)
        for _ in 0..<count { offered.append(try reader.readHash("offered txid")) }
    }
}
