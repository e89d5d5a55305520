import KeyChainCore

/// The on-disk form of one block:
/// `magic u32 | length u32 | raw length u32 | zlib(block) | CRC-32C u32`, integers
/// little-endian, the CRC over everything before it. A record whose block was written again
/// elsewhere (compressed, after it was stored raw) is freed: its magic becomes `freedMagic`,
/// its lengths stay, and its payload's disk blocks go back to the file system.
enum SegmentRecord {
    /// "KCB1" read as a little-endian integer.
    static let magic: UInt32 = 0x3142_434B
    /// "KCB0": a freed record, skipped by its length.
    static let freedMagic: UInt32 = 0x3042_434B
    /// Bytes before the payload.
    static let headerSize = 12
    /// Bytes around the payload.
    static let overhead = headerSize + 4

    /// The record for an encoded block, compressed or (not `compressed`) in zlib's stored mode.
    static func encode(block encoded: [UInt8], compressed: Bool = true) throws(StoreError) -> [UInt8] {
        guard encoded.count <= Block.maxEncodedSize else {
            throw .tooLarge(size: encoded.count, maximum: Block.maxEncodedSize)
        }
        guard let payload = Zlib.compress(encoded, compact: compressed) else {
            throw .corruptRecord(path: "(memory)", offset: 0, reason: "zlib could not compress the block")
        }
        var writer = ByteWriter(capacity: payload.count + overhead)
        writer.write(magic)
        writer.write(UInt32(payload.count))
        writer.write(UInt32(encoded.count))
        writer.write(bytes: payload)
        writer.write(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// What a record header says, before the payload is read.
    struct Header {
        var payloadLength: Int
        var rawLength: Int
        var recordLength: Int { SegmentRecord.overhead + payloadLength }
    }

    /// Parses the 12 header bytes, rejecting a bad magic (other than `freed`'s) or impossible
    /// lengths.
    static func header(_ bytes: [UInt8], at start: Int, freed: Bool = false) -> Header? {
        guard bytes.count - start >= headerSize else { return nil }
        var reader = ByteReader(bytes, range: start..<start + headerSize)
        guard let magicValue = try? reader.readUInt32("magic"), magicValue == (freed ? freedMagic : magic),
              let payload = try? reader.readUInt32("length"), let raw = try? reader.readUInt32("raw length")
        else { return nil }
        let maxPayload = Block.maxEncodedSize + Block.maxEncodedSize / 1000 + 64  // zlib's worst case
        guard Int(raw) <= Block.maxEncodedSize, Int(payload) <= maxPayload, payload > 0 else { return nil }
        return Header(payloadLength: Int(payload), rawLength: Int(raw))
    }

    /// Whether a record holds its block at full size (zlib's stored mode: the payload is no
    /// smaller than the block), so compressing it would save room.
    static func isStoredRaw(_ header: Header) -> Bool { header.payloadLength >= header.rawLength }

    /// The encoded block inside a complete record held in `bytes[start...]`, or why it is bad.
    static func decode(_ bytes: [UInt8], at start: Int) -> Result<[UInt8], RecordFault> {
        guard let header = header(bytes, at: start) else { return .failure(.badHeader) }
        let end = start + header.recordLength
        guard end <= bytes.count else { return .failure(.truncated) }
        let stored = bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: end - 4, as: UInt32.self)) }
        let computed = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<end - 4])) }
        guard stored == computed else { return .failure(.checksum) }
        guard let raw = Zlib.decompress(bytes[start + headerSize..<end - 4], rawLength: header.rawLength) else {
            return .failure(.zlib)
        }
        return .success(raw)
    }

    /// What is wrong with a record.
    enum RecordFault: String, Error {
        case badHeader = "bad magic or impossible length"
        case truncated = "record runs past the end of the file"
        case checksum = "CRC-32C mismatch"
        case zlib = "zlib payload does not decompress to the recorded length"
    }
}
