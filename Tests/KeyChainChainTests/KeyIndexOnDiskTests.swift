import KeyChainChain
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport
import Testing

/// The key index over its database: memory holds only the updates in flight, reads from an
/// older copy of the index see a later state of the chain and never a mixed one, and a
/// reorganisation undoes versions only the database holds.
@Suite struct KeyIndexOnDiskTests {
    @Test func memoryHoldsNoMoreThanItsBoundWhateverTheHistory() throws {
        let fixture = try ChainFixture()
        fixture.chain.maxHeldInMemory = 40
        var most = 0
        for round in 0..<30 {
            try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock) { _ in
                try (0..<5).map { try fixture.put("k/\($0)", "round \(round)", by: fixture.alice) }
            }
            most = max(most, fixture.chain.keyIndex.heldInMemory)
        }
        // A block's five puts hold five keys and five txids: one update over the bound at most.
        #expect(most <= 40 + 10)
        fixture.chain.awaitKeyIndexWritten()
        #expect(fixture.chain.keyIndex.heldInMemory == 0)
        #expect(try fixture.chain.keyIndex.versions(of: "k/3").map { String(decoding: $0.value, as: UTF8.self) } == (0..<30).map { "round \($0)" })
        #expect(fixture.chain.keyIndex.keyCount == 5 && fixture.chain.keyIndex.transactionCount == 150)
    }

    @Test func anOlderCopyReadsALaterStateOnceTheDatabaseHasMovedOn() throws {
        let fixture = try ChainFixture()
        try TestNetwork.extend(fixture.chain, blocks: 3, clock: fixture.clock) { [try fixture.put("k", "v\($0)", by: fixture.alice)] }
        fixture.chain.awaitKeyIndexWritten()
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock) { _ in [try fixture.put("k", "v3", by: fixture.alice)] }
        // A view published now holds v3 in memory and v0-v2 on disk.
        let older = fixture.chain.keyIndex
        #expect(try older.versions(of: "k").count == 4)
        try TestNetwork.extend(fixture.chain, blocks: 2, clock: fixture.clock) { [try fixture.put("k", "v\($0 + 4)", by: fixture.alice)] }
        fixture.chain.awaitKeyIndexWritten()
        // The database now holds v0-v5: the older copy answers from it alone, never v0-v3 from
        // disk beside what it holds.
        let current = try fixture.chain.keyIndex.versions(of: "k")
        #expect(current.count == 6)
        #expect(try older.versions(of: "k") == current)
        // Its latest is v3 while the copy still holds it in memory (the chain may have
        // dropped it from the copy's maps already, once written), else the database's v5:
        // either way a version of one state, numbered as in that state.
        let latest = try #require(try older.latest("k"))
        #expect([3, 5].contains(latest.number) && current[latest.number] == latest.version)
    }

    @Test func aReorganisationUndoesVersionsOnlyTheDatabaseHolds() throws {
        let fixture = try ChainFixture()
        let genesis = fixture.chain.tip.header
        let losing = try fixture.branch(on: genesis, count: 2) { [try fixture.put("k", "losing \($0)", by: fixture.alice)] }
        for block in losing { try fixture.chain.acceptBlock(block) }
        fixture.chain.awaitKeyIndexWritten()
        #expect(fixture.chain.keyIndex.heldInMemory == 0)
        let winning = try fixture.branch(on: genesis, count: 3, offset: 1_001) { [try fixture.put("w\($0)", "winning", by: fixture.bob)] }
        for block in winning { try fixture.chain.acceptBlock(block) }
        #expect(try fixture.chain.keyIndex.versions(of: "k").isEmpty)
        #expect(fixture.chain.keyIndex.keyCount == 3)
        #expect(try fixture.chain.keyIndex.confirmation(of: losing[0].transactions[0].id) == nil)
        fixture.chain.awaitKeyIndexWritten()
        #expect(try fixture.chain.keyIndex.keys(prefix: "", limit: 10) == ["w0", "w1", "w2"])
        try fixture.closeAndReopen()
        #expect(fixture.chain.blocksReplayedAtOpen == 0)
        #expect(try fixture.chain.keyIndex.keys(prefix: "", limit: 10) == ["w0", "w1", "w2"])
        #expect(try fixture.chain.keyIndex.confirmation(of: winning[1].transactions[0].id)?.block == winning[1].hash)
    }
}
