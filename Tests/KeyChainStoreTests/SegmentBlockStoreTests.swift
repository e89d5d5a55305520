import CKeyChainNative
import Foundation
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport
import Testing

@Suite struct SegmentBlockStoreTests {
    /// Every entry the store lists reads back as exactly the block written at that height.
    func expectIntactPrefix(_ store: SegmentBlockStore, _ fixture: StoreFixture, count: Int,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let entries = store.entries
        #expect(entries.count == count, sourceLocation: sourceLocation)
        for (height, entry) in entries.enumerated() {
            #expect(entry.hash == fixture.blocks[height].hash, sourceLocation: sourceLocation)
            #expect(entry.height == UInt32(height), sourceLocation: sourceLocation)
            #expect(try store.block(entry.hash) == fixture.blocks[height], sourceLocation: sourceLocation)
        }
    }

    @Test func blocksReadBackAndSurviveReopen() throws {
        let dir = try TemporaryDirectory()
        let fixture = try StoreFixture(count: 40, putsPerBlock: 3)
        do {
            let store = try SegmentBlockStore(dataDirectory: dir.path)
            try fixture.write(store, 0..<40)
            try store.setStatus(.valid, for: fixture.blocks[5].hash)
            try expectIntactPrefix(store, fixture, count: 40)
        }
        let reopened = try SegmentBlockStore(dataDirectory: dir.path)
        #expect(reopened.reconciliation == .init())
        try expectIntactPrefix(reopened, fixture, count: 40)
        #expect(reopened.entries[5].status == .valid)
        #expect(reopened.entries[6].status == .stored)
        #expect(reopened.entries[39].cumulativeWork == Work(40))
        #expect(throws: StoreError.notFound(Hash256.zero.hex)) { try reopened.block(.zero) }
    }

    @Test func lastRecordCutAtEveryByteLeavesTheIntactPrefix() throws {
        let base = try TemporaryDirectory()
        let fixture = try StoreFixture(count: 6)
        let store = try SegmentBlockStore(dataDirectory: base.path)
        try fixture.write(store, 0..<5)
        let before = try StoreFixture.size(StoreFixture.segment(base.path, 0))
        try fixture.write(store, 5..<6)
        let after = try StoreFixture.size(StoreFixture.segment(base.path, 0))
        #expect(after > before)

        let work = try TemporaryDirectory()
        for cut in before..<after {
            let copy = work.file("cut-\(cut)")
            try StoreFixture.copy(base.path, to: copy)
            try StoreFixture.truncate(StoreFixture.segment(copy, 0), to: cut)
            let reopened = try SegmentBlockStore(dataDirectory: copy)
            try expectIntactPrefix(reopened, fixture, count: 5)
            #expect(reopened.reconciliation.truncatedBytes == cut - before)
            #expect(try StoreFixture.size(StoreFixture.segment(copy, 0)) == before)
            // The store goes on: the lost block can be stored again.
            try fixture.write(reopened, 5..<6)
            try expectIntactPrefix(reopened, fixture, count: 6)
            try FileManager.default.removeItem(atPath: copy)
        }
    }

    @Test func flippedByteInsideARecordCutsFromThatRecord() throws {
        let base = try TemporaryDirectory()
        let fixture = try StoreFixture(count: 8)
        let store = try SegmentBlockStore(dataDirectory: base.path)
        try fixture.write(store, 0..<8)
        let locations = store.entries.map(\.location)
        let work = try TemporaryDirectory()
        // Every byte of the last record, and every byte of a record in the middle.
        for target in [7, 4] {
            let location = locations[target]
            for offset in location.offset..<location.end {
                let copy = work.file("flip-\(target)-\(offset)")
                try StoreFixture.copy(base.path, to: copy)
                try StoreFixture.flipByte(StoreFixture.segment(copy, 0), at: offset)
                let reopened = try SegmentBlockStore(dataDirectory: copy)
                try expectIntactPrefix(reopened, fixture, count: target)
                try FileManager.default.removeItem(atPath: copy)
            }
        }
    }

    @Test func deletedIndexIsRebuiltFromTheSegments() throws {
        let dir = try TemporaryDirectory()
        let fixture = try StoreFixture(count: 30, putsPerBlock: 2)
        do {
            let store = try SegmentBlockStore(dataDirectory: dir.path, segmentSize: 4096)
            try fixture.write(store, 0..<30)
        }
        #expect(FileManager.default.fileExists(atPath: StoreFixture.segment(dir.path, 2)))
        try FileManager.default.removeItem(atPath: dir.file("blocks/index"))
        let reopened = try SegmentBlockStore(dataDirectory: dir.path, segmentSize: 4096)
        #expect(reopened.reconciliation.reindexedBlocks == 30)
        try expectIntactPrefix(reopened, fixture, count: 30)
        #expect(reopened.entries.last?.cumulativeWork == Work(30 * UInt128(try Target(compact: 0x2000_FFFF).work.value)))
    }

    @Test func damagedIndexTailIsCutAndTheBlocksReindexed() throws {
        let dir = try TemporaryDirectory()
        let fixture = try StoreFixture(count: 12)
        do {
            let store = try SegmentBlockStore(dataDirectory: dir.path)
            try fixture.write(store, 0..<12)
        }
        let index = dir.file("blocks/index")
        let size = try StoreFixture.size(index)
        try StoreFixture.flipByte(index, at: size - 10)          // the last entry's CRC fails
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: index))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([1, 2, 3]))             // and a torn partial entry
        try handle.close()
        let reopened = try SegmentBlockStore(dataDirectory: dir.path)
        #expect(reopened.reconciliation.reindexedBlocks == 1)
        try expectIntactPrefix(reopened, fixture, count: 12)
    }

    @Test func corruptionInAnOlderSegmentIsReportedNeverServed() throws {
        let dir = try TemporaryDirectory()
        let fixture = try StoreFixture(count: 30, putsPerBlock: 2)
        do {
            let store = try SegmentBlockStore(dataDirectory: dir.path, segmentSize: 4096)
            try fixture.write(store, 0..<30)
        }
        let store = try SegmentBlockStore(dataDirectory: dir.path, segmentSize: 4096)
        let victim = try #require(store.entries.first { $0.location.segment == 0 && $0.height > 0 })
        try StoreFixture.flipByte(StoreFixture.segment(dir.path, 0), at: victim.location.offset + 20)
        let reopened = try SegmentBlockStore(dataDirectory: dir.path, segmentSize: 4096)
        #expect(throws: StoreError.self) { try reopened.block(victim.hash) }
        #expect(try reopened.block(fixture.blocks[29].hash) == fixture.blocks[29])
    }

    /// A block stored raw (one the node sealed) is compressed in the background and its record
    /// replaced: the compressed record is written and indexed first, then the raw one freed.
    /// The block reads back the same before, after, and after a reopen, whose scan skips the
    /// freed record without cutting what follows it.
    @Test func aBlockStoredRawIsCompressedLaterAndTheRawRecordFreed() throws {
        let dir = try TemporaryDirectory()
        let fixture = try StoreFixture(count: 4, putsPerBlock: 200)
        let store = try SegmentBlockStore(dataDirectory: dir.path)
        try fixture.write(store, 0..<1)
        let raw = try store.append(fixture.blocks[1], height: 1, cumulativeWork: Work(UInt128(2)), compressed: false)
        #expect(try store.block(fixture.blocks[1].hash) == fixture.blocks[1])
        try fixture.write(store, 2..<3)
        try store.finishCompressing()
        let moved = try #require(store.entries.first { $0.hash == fixture.blocks[1].hash })
        #expect(moved.location != raw.location && moved.location.length < raw.location.length)
        #expect(try store.block(fixture.blocks[1].hash) == fixture.blocks[1])
        // The raw record's magic now says freed ("KCB0"); the scan steps over it.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: StoreFixture.segment(dir.path, 0))))
        #expect(Array(bytes[Int(raw.location.offset)..<Int(raw.location.offset) + 4]) == Array("KCB0".utf8))
        try fixture.write(store, 3..<4)
        let reopened = try SegmentBlockStore(dataDirectory: dir.path)
        #expect(reopened.reconciliation == SegmentBlockStore.Reconciliation())
        for block in fixture.blocks { #expect(try reopened.block(block.hash) == block) }
        // With the index gone, the scan finds every block once, the freed record skipped.
        try FileManager.default.removeItem(atPath: dir.file("blocks/index"))
        let rebuilt = try SegmentBlockStore(dataDirectory: dir.path)
        #expect(rebuilt.reconciliation.truncatedBytes == 0)
        #expect(rebuilt.entries.count == 4)
        for block in fixture.blocks { #expect(try rebuilt.block(block.hash) == block) }
    }

    /// A crash after the compressed record was written but before its index entry: the raw
    /// record is still the indexed one and intact, and the unindexed copy after it is ignored.
    @Test func aCrashBeforeTheSwapLeavesTheRawRecordServing() throws {
        let dir = try TemporaryDirectory()
        let fixture = try StoreFixture(count: 2, putsPerBlock: 200)
        let store = try SegmentBlockStore(dataDirectory: dir.path)
        try fixture.write(store, 0..<1)
        try store.append(fixture.blocks[1], height: 1, cumulativeWork: Work(UInt128(2)), compressed: false)
        let segment = StoreFixture.segment(dir.path, 0)
        let (segmentBefore, indexBefore) = (try Data(contentsOf: URL(fileURLWithPath: segment)),
                                            try Data(contentsOf: URL(fileURLWithPath: dir.file("blocks/index"))))
        try store.finishCompressing()
        // The files as that crash leaves them: the raw record intact, the compressed copy
        // appended after it, the index without the copy's entry.
        let after = try Data(contentsOf: URL(fileURLWithPath: segment))
        try (segmentBefore + after[segmentBefore.count...]).write(to: URL(fileURLWithPath: segment))
        try indexBefore.write(to: URL(fileURLWithPath: dir.file("blocks/index")))
        let reopened = try SegmentBlockStore(dataDirectory: dir.path)
        #expect(reopened.reconciliation.truncatedBytes == 0)
        #expect(reopened.entries.count == 2)
        #expect(try reopened.block(fixture.blocks[1].hash) == fixture.blocks[1])
    }

    @Test func crc32cMatchesTheStandardCheckValueOnBothPaths() {
        let check = Array("123456789".utf8)
        #expect(CRC32C.checksum(check) == 0xE306_9283)
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 7, 8, 9, 63, 64, 1000, 4097] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let portable = bytes.withUnsafeBytes { kcPortableCRC($0) }
            #expect(CRC32C.checksum(bytes) == portable)
        }
    }
}

private func kcPortableCRC(_ raw: UnsafeRawBufferPointer) -> UInt32 {
    kc_crc32c_portable(0, raw.baseAddress, raw.count)
}
