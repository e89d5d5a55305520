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

    @Test func aCheckpointStartsWithTheBytesKCCP() throws {
        let dir = try TemporaryDirectory()
        let file = CheckpointFile(path: dir.file("cp"))
        try file.write([9, 9, 9])
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir.file("cp"))))
        #expect(Array(bytes.prefix(4)) == Array("KCCP".utf8))
        #expect(Self.u32(bytes, 0) == 0x5043_434B)
        #expect(bytes.count == 4 + 8 + 3 + 4)
        #expect((0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[4 + $1]) << (8 * $1) } == 3)
    }
}
