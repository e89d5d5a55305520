import KeyChainCore

/// Positions in a block, in increasing order, as BIP152 sends them: each as its distance from
/// the one before less one (the first as itself), `count u32 | deltas u32`. Decoding checks
/// that every position stays below `limit`.
enum TransactionIndexes {
    /// Appends the count and the deltas.
    static func encode(_ indexes: [Int], to writer: inout ByteWriter) {
        writer.write(UInt32(truncatingIfNeeded: indexes.count))
        var next = 0
        for index in indexes {
            writer.write(UInt32(truncatingIfNeeded: index - next))
            next = index + 1
        }
    }

    /// The position `delta` names after `previous` (nil: the first), checked against `limit`.
    static func next(after previous: Int?, delta: UInt32, limit: Int, _ field: String) throws(DecodingError) -> Int {
        let index = (previous.map { $0 + 1 } ?? 0) + Int(delta)
        guard index < limit else {
            throw .invalidValue(field: field, reason: "position \(index) is past the block's \(limit) transactions")
        }
        return index
    }

    /// Reads a count and that many deltas.
    static func decode(from reader: inout ByteReader, limit: Int, _ field: String) throws(DecodingError) -> [Int] {
        let count = Int(try reader.readUInt32("\(field) count"))
        guard count <= limit, count * 4 <= reader.remaining else {
            throw .invalidValue(field: "\(field) count", reason: "\(count) positions cannot fit a block or the \(reader.remaining) bytes left")
        }
        var indexes: [Int] = []
        indexes.reserveCapacity(count)
        for _ in 0..<count {
            indexes.append(try next(after: indexes.last, delta: try reader.readUInt32(field), limit: limit, field))
        }
        return indexes
    }
}
