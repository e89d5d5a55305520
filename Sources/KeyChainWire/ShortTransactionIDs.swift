import KeyChainCore

/// Lists of 6-byte short txids, as compact blocks and reconciliation send them:
/// `count u32 | ids, 6 bytes each, little-endian`. A short id is the low 48 bits of a keyed
/// SipHash-2-4 of the txid; who keys it, and with what, is each message's own rule.
enum ShortTransactionIDs {
    /// The bytes one id takes.
    static let size = 6

    /// The low 48 bits of `hasher`'s hash of `txid`.
    static func id(of txid: Hash256, hasher: SipHash) -> UInt64 { hasher.hash(txid.raw) & 0xFFFF_FFFF_FFFF }

    /// Appends the count and the ids.
    static func encode(_ ids: [UInt64], to writer: inout ByteWriter) {
        writer.write(UInt32(truncatingIfNeeded: ids.count))
        for id in ids {
            for shift in stride(from: UInt64(0), to: 48, by: 8) { writer.write(UInt8(truncatingIfNeeded: id >> shift)) }
        }
    }

    /// Reads a count (at most `limit`, and no more than the bytes left hold) and that many ids.
    static func decode(from reader: inout ByteReader, limit: Int, _ field: String) throws(DecodingError) -> [UInt64] {
        let count = Int(try reader.readUInt32("\(field) count"))
        guard count <= limit, count * size <= reader.remaining else {
            throw .invalidValue(field: "\(field) count", reason: "\(count) short ids is more than \(limit) or the \(reader.remaining) bytes left hold")
        }
        var ids: [UInt64] = []
        ids.reserveCapacity(count)
        for _ in 0..<count {
            var id: UInt64 = 0
            for shift in stride(from: UInt64(0), to: 48, by: 8) { id |= UInt64(try reader.readUInt8(field)) << shift }
            ids.append(id)
        }
        return ids
    }
}
