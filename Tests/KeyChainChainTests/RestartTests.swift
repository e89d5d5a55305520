import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport
import Testing

@Suite struct RestartTests {
    /// 1,037 blocks, then a crash with the key index's database 37 blocks behind: the reopened
    /// chain has the same tip and the same history for sampled keys, the database's plus the
    /// blocks after it, replayed.
    @Test func thousandBlocksSurviveACrash() throws {
        let fixture = try ChainFixture()
        try TestNetwork.extend(fixture.chain, blocks: 1_000, clock: fixture.clock) { height in
            [try fixture.put("shared/\(height % 25)", "height \(height)", by: fixture.alice),
             try fixture.put("unique/\(height)", "only at \(height)", by: fixture.bob)]
        }
        let atThousand = try fixture.copyKeyIndex()
        try TestNetwork.extend(fixture.chain, blocks: 37, clock: fixture.clock) { offset in
            let height = 1_000 + offset
            return [try fixture.put("shared/\(height % 25)", "height \(height)", by: fixture.alice),
             try fixture.put("unique/\(height)", "only at \(height)", by: fixture.bob)]
        }
        let tip = fixture.chain.tip
        let samples = ["shared/0", "shared/7", "shared/24", "unique/0", "unique/500", "unique/1036"]
        let before = try samples.map { try fixture.chain.keyIndex.versions(of: $0) }
        #expect(before[0].count == 42)

        try fixture.restoreKeyIndexAndReopen(from: atThousand)
        #expect(fixture.chain.tip.hash == tip.hash)
        #expect(fixture.chain.height == 1_037)
        #expect(fixture.chain.blocksReplayedAtOpen == 37)
        #expect(try samples.map { try fixture.chain.keyIndex.versions(of: $0) } == before)
        #expect(fixture.chain.keyIndex.keyCount == 25 + 1_037)

        try fixture.closeAndReopen()
        #expect(fixture.chain.blocksReplayedAtOpen == 0)
        #expect(fixture.chain.tip.hash == tip.hash)
        #expect(try samples.map { try fixture.chain.keyIndex.versions(of: $0) } == before)
        // And the chain goes on.
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock) { _ in [try fixture.put("shared/0", "after restart", by: fixture.alice)] }
        #expect(fixture.value("shared/0") == "after restart")
    }

    /// The key index's database was last written on a branch that later lost: reopening undoes
    /// back to the fork and applies the winning branch.
    @Test func anIndexOnALosingBranchIsUnwound() throws {
        let fixture = try ChainFixture()
        let genesis = fixture.chain.tip.header
        let losing = try fixture.branch(on: genesis, count: 2) { [try fixture.put("k", "losing \($0)", by: fixture.alice)] }
        for block in losing { try fixture.chain.acceptBlock(block) }
        let atLosing = try fixture.copyKeyIndex()
        let winning = try fixture.branch(on: genesis, count: 3, offset: 1_001) { [try fixture.put("k", "winning \($0)", by: fixture.alice)] }
        for block in winning { try fixture.chain.acceptBlock(block) }
        #expect(fixture.value("k") == "winning 2")

        try fixture.restoreKeyIndexAndReopen(from: atLosing)
        #expect(fixture.chain.tip.hash == winning[2].hash)
        #expect(try fixture.chain.keyIndex.versions(of: "k").map { String(decoding: $0.value, as: UTF8.self) } == ["winning 0", "winning 1", "winning 2"])
    }

    @Test func invalidBlocksStayInvalidAfterRestart() throws {
        let fixture = try ChainFixture()
        let genesis = fixture.chain.tip.header
        try fixture.chain.acceptBlock(fixture.block(on: genesis, [try fixture.put("k", "a", by: fixture.alice)]))
        let bad = fixture.block(on: fixture.chain.tip.header, [try fixture.put("k", "b", by: fixture.bob)])
        #expect(throws: BlockError.self) { try fixture.chain.acceptBlock(bad) }
        try fixture.crashAndReopen()
        #expect(fixture.chain.height == 1)
        #expect(throws: BlockError.knownInvalid(bad.hash)) { try fixture.chain.acceptBlock(bad) }
    }

    @Test func anotherNetworksDataDirectoryIsRefused() throws {
        let fixture = try ChainFixture()
        let other = try TestNetwork.parameters(name: "othernet")
        let store = try SegmentBlockStore(dataDirectory: fixture.directory.path)
        #expect(throws: ChainError.genesisMismatch(expected: other.genesisHash, found: fixture.parameters.genesisHash)) {
            try Blockchain(parameters: other, storage: store)
        }
    }

    @Test func aDeletedIndexIsRebuiltAndTheChainRestored() throws {
        let fixture = try ChainFixture()
        try TestNetwork.extend(fixture.chain, blocks: 20, clock: fixture.clock) { [try fixture.put("k", "\($0)", by: fixture.alice)] }
        try fixture.chain.close()
        let tip = fixture.chain.tip.hash
        try FileManager.default.removeItem(atPath: fixture.directory.file("blocks/index"))
        try fixture.crashAndReopen()
        #expect(fixture.chain.tip.hash == tip)
        #expect(try fixture.chain.keyIndex.versions(of: "k").count == 20)
    }

    /// A data directory from before the key index's database (a `keyindex.checkpoint` beside
    /// the blocks): the old file goes and the index is built from the blocks, once.
    @Test func anOlderDataDirectoryHasItsIndexBuiltFromTheBlocksOnce() throws {
        let fixture = try ChainFixture()
        try TestNetwork.extend(fixture.chain, blocks: 12, clock: fixture.clock) { [try fixture.put("k", "\($0)", by: fixture.alice)] }
        let tip = fixture.chain.tip.hash
        try fixture.chain.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: fixture.directory.file("keyindex.sqlite" + suffix)) }
        let legacy = fixture.directory.file("keyindex.checkpoint")
        #expect(FileManager.default.createFile(atPath: legacy, contents: Data("KCCP".utf8)))
        try fixture.crashAndReopen()
        #expect(!FileManager.default.fileExists(atPath: legacy))
        #expect(fixture.chain.tip.hash == tip)
        #expect(fixture.chain.blocksReplayedAtOpen == 12)
        #expect(try fixture.chain.keyIndex.versions(of: "k").count == 12)
        try fixture.closeAndReopen()
        #expect(fixture.chain.blocksReplayedAtOpen == 0)
    }
}
