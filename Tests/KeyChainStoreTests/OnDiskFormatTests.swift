import Foundation
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport
import Testing

/// The files' first bytes and lengths as docs/PROTOCOL.md §7 gives them, read back raw.
@Suite struct OnDiskFormatTests {
    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
    }

    @Test func aSegmentRecordIsMagicLengthRawLengthZlibAndCRC() throws {
        let dir = try TemporaryDirectory()
        let fixture = try StoreFixture(count: 2, putsPerBlock: 5)
        let store = try SegmentBlockStore(dataDirectory: dir.path)
        try fixture.write(store, 0..<2)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir.file("blocks/000000000.seg"))))
        // Two records back to back: each 16 + length bytes, starting with "KCB1".
        var offset = 0
        for height in 0..<2 {
            #expect(Array(bytes[offset..<(offset + 4)]) == Array("KCB1".utf8))
            #expect(Self.u32(bytes, offset) == 0x3142_434B)
            let length = Int(Self.u32(bytes, offset + 4))
            #expect(Int(Self.u32(bytes, offset + 8)) == fixture.blocks[height].encoded.count)
            #expect(store.entries[height].location.length == UInt32(16 + length))
            offset += 16 + length
        }
        #expect(offset == bytes.count)
    }

    /// A block stored uncompressed (one the node sealed) is a zlib stream of stored blocks:
    /// header 78 01, then per piece of up to 65,535 bytes a flag byte (1 on the last), its
    /// length and the length's complement, and the bytes as they are; Adler-32 at the end.
    @Test func aBlockStoredUncompressedIsZlibsStoredMode() throws {
        let dir = try TemporaryDirectory()
        let fixture = try StoreFixture(count: 2, putsPerBlock: 5)
        let store = try SegmentBlockStore(dataDirectory: dir.path)
        try fixture.write(store, 0..<1)
        let block = fixture.blocks[1]
        try store.append(block, height: 1, cumulativeWork: Work(2), compressed: false)
        let segment = Array(try Data(contentsOf: URL(fileURLWithPath: dir.file("blocks/000000000.seg"))))
        let bytes = Array(segment[(16 + Int(Self.u32(segment, 4)))...])  // the second record
        let raw = block.encoded
        #expect(raw.count < 65_535)
        let length = UInt16(raw.count)
        var adler = (a: UInt32(1), b: UInt32(0))
        for byte in raw { adler.a = (adler.a + UInt32(byte)) % 65_521; adler.b = (adler.b + adler.a) % 65_521 }
        let checksum = adler.b << 16 | adler.a
        let zlib = [0x78, 0x01, 0x01, UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8(~length >> 8)] + raw
            + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: checksum >> $0) }
        #expect(Int(Self.u32(bytes, 4)) == zlib.count)
        #expect(Int(Self.u32(bytes, 8)) == raw.count)
        #expect(Array(bytes[12..<(12 + zlib.count)]) == zlib)
        #expect(bytes.count == 16 + zlib.count)
        #expect(try store.block(block.hash) == block)
        #expect(try SegmentBlockStore(dataDirectory: dir.path).block(block.hash) == block)
    }
}
