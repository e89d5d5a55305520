import KeyChainCore

extension BlockIndexEntry {
    /// Fixed size of an encoded entry.
    static let encodedSize = BlockHeader.size + 4 + 8 + 4 + 4 + 16 + 1 + 4

    /// `header 88 | segment u32 | offset u64 | length u32 | height u32 | cumulative work u128 |
    ///  status u8 | CRC-32C of the preceding bytes u32`.
    var encoded: [UInt8] {
        var writer = ByteWriter(capacity: Self.encodedSize)
        header.encode(to: &writer)
        writer.write(location.segment)
        writer.write(location.offset)
        writer.write(location.length)
        writer.write(height)
        writer.write(UInt64(truncatingIfNeeded: cumulativeWork.value))
        writer.write(UInt64(truncatingIfNeeded: cumulativeWork.value >> 64))
        writer.write(status.rawValue)
        let crc = CRC32C.checksum(writer.bytes)
        writer.write(crc)
        return writer.bytes
    }

    /// Decodes the entry at `range`; nil when its checksum or a field is wrong.
    init?(decoding bytes: [UInt8], range: Range<Int>) {
        guard range.count == Self.encodedSize else { return nil }
        let body = bytes[range.lowerBound..<range.upperBound - 4]
        var reader = ByteReader(bytes, range: range)
        do {
            let header = try BlockHeader(from: &reader)
            let segment = try reader.readUInt32("segment")
            let offset = try reader.readUInt64("offset")
            let length = try reader.readUInt32("length")
            let height = try reader.readUInt32("height")
            let low = try reader.readUInt64("work")
            let high = try reader.readUInt64("work")
            let statusByte = try reader.readUInt8("status")
            let crc = try reader.readUInt32("crc")
            guard crc == CRC32C.checksum(Array(body)), let status = BlockStatus(rawValue: statusByte) else { return nil }
            self.init(
                header: header, location: BlockLocation(segment: segment, offset: offset, length: length),
                height: height, cumulativeWork: Work(UInt128(high) << 64 | UInt128(low)), status: status
            )
        } catch {
            return nil
        }
    }
}
