import KeyChainChain
import KeyChainCore
import KeyChainTestSupport
import Testing

@Suite struct ReorganisationTests {
    /// A heavier fork replaces three blocks; a put only on the losing branch goes back to the
    /// mempool and is mined on the winner; puts on both branches are not applied twice.
    @Test func heavierForkReplacesThreeBlocksAndTheLosingPutIsReMined() throws {
        let fixture = try ChainFixture()
        let genesis = fixture.chain.tip.header
        let shared = try fixture.put("shared", "on both branches", by: fixture.alice)
        let onlyLosing = try fixture.put("orphaned", "only on the losing branch", by: fixture.bob)
        let losing = try fixture.branch(on: genesis, count: 3) { index in
            index == 0 ? [shared] : index == 1 ? [onlyLosing] : []
        }
        for block in losing { try fixture.chain.acceptBlock(block) }
        #expect(fixture.chain.height == 3)
        #expect(fixture.value("orphaned") == "only on the losing branch")

        let winning = try fixture.branch(on: genesis, count: 4, offset: 1_001) { index in
            index == 2 ? [shared] : [try fixture.put("winner-\(index)", "w", by: fixture.alice)]
        }
        var last = ChainUpdate()
        for block in winning { last = try fixture.chain.acceptBlock(block) }
        #expect(last.disconnected == losing.reversed().map(\.hash))
        #expect(last.connected == winning.map(\.hash))
        #expect(fixture.chain.tip.hash == winning[3].hash)
        #expect(fixture.value("orphaned") == nil)
        #expect(try fixture.chain.keyIndex.versions(of: "shared").count == 1)
        #expect(try fixture.chain.keyIndex.versions(of: "shared").first?.blockHash == winning[2].hash)
        #expect(fixture.chain.mempool.transactions.map(\.id) == [onlyLosing.id])
        #expect(last.evicted.isEmpty)

        // Mined again on the winning branch.
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock)
        #expect(fixture.value("orphaned") == "only on the losing branch")
        #expect(try fixture.chain.keyIndex.versions(of: "orphaned").first?.height == 5)
        #expect(fixture.chain.mempool.count == 0)
    }

    @Test func equalWorkForkKeepsTheFirstSeenTip() throws {
        let fixture = try ChainFixture()
        let genesis = fixture.chain.tip.header
        let first = fixture.block(on: genesis, [try fixture.put("k", "first", by: fixture.alice)])
        let second = fixture.block(on: genesis, [try fixture.put("k", "second", by: fixture.alice)], offset: 2_000)
        try fixture.chain.acceptBlock(first)
        let update = try fixture.chain.acceptBlock(second)
        #expect(update.connected.isEmpty)
        #expect(fixture.chain.tip.hash == first.hash)
        #expect(fixture.value("k") == "first")
        // One more block on the second branch makes it heavier.
        try fixture.chain.acceptBlock(fixture.block(on: second.header))
        #expect(fixture.value("k") == "second")
    }

    /// A heavier fork whose middle block breaks the ownership rule is abandoned at that block:
    /// it and its descendants are marked invalid and the valid chain stays.
    @Test func heavierForkWithAnInvalidBlockIsRejected() throws {
        let fixture = try ChainFixture()
        let genesis = fixture.chain.tip.header
        let main = try fixture.branch(on: genesis, count: 2) { index in
            [try fixture.put("k", "alice \(index)", by: fixture.alice)]
        }
        for block in main { try fixture.chain.acceptBlock(block) }
        let forkStart = fixture.block(on: genesis, [try fixture.put("k", "alice on fork", by: fixture.alice)], offset: 1_500)
        let forkBad = fixture.block(on: forkStart.header, [try fixture.put("k", "bob steals", by: fixture.bob)])
        let forkAfter = fixture.block(on: forkBad.header)
        try fixture.chain.acceptBlock(forkStart)
        try fixture.chain.acceptBlock(forkBad)  // less work than main: stored, not yet judged
        #expect(fixture.chain.tip.hash == main[1].hash)
        #expect(throws: BlockError.invalidParent(forkBad.hash)) { try fixture.chain.acceptBlock(forkAfter) }
        #expect(fixture.chain.tip.hash == main[1].hash)
        #expect(fixture.value("k") == "alice 1")
        #expect(fixture.chain.tree.node(forkBad.hash)?.status == .invalid)
        #expect(fixture.chain.tree.node(forkAfter.hash)?.status == .invalid)
        #expect(throws: BlockError.knownInvalid(forkBad.hash)) { try fixture.chain.acceptBlock(forkBad) }
        #expect(throws: BlockError.invalidParent(forkAfter.hash)) {
            try fixture.chain.acceptHeader(fixture.block(on: forkAfter.header).header)
        }
    }

    /// A body with a forged signature is refused without condemning the header: the honest
    /// body under the same header is accepted afterwards.
    @Test func forgedSignatureDoesNotCondemnTheHeader() throws {
        let fixture = try ChainFixture()
        let put = try fixture.put("k", "v", by: fixture.alice)
        let honest = fixture.block(on: fixture.chain.tip.header, [put])
        let forged = Block(header: honest.header, transactions: [put.withSignature(fixture.bob.sign(put.id.bytes))])
        #expect(throws: BlockError.badTransaction(put.id, .badSignature)) { try fixture.chain.acceptBlock(forged) }
        // Still forged after the honest copy's signature is cached.
        try fixture.chain.submit(put)
        #expect(throws: BlockError.badTransaction(put.id, .badSignature)) { try fixture.chain.acceptBlock(forged) }
        try fixture.chain.acceptBlock(honest)
        #expect(fixture.chain.tip.hash == honest.hash)
    }

    @Test func headersFirstThenBodiesInAnyOrder() throws {
        let fixture = try ChainFixture()
        let blocks = try fixture.branch(on: fixture.chain.tip.header, count: 5) { index in
            [try fixture.put("h\(index)", "v", by: fixture.alice)]
        }
        for block in blocks { try fixture.chain.acceptHeader(block.header) }
        #expect(fixture.chain.height == 0)
        for index in [4, 2, 3, 1] { try fixture.chain.acceptBlock(blocks[index]) }
        #expect(fixture.chain.height == 0)
        let update = try fixture.chain.acceptBlock(blocks[0])
        #expect(update.connected == blocks.map(\.hash))
        #expect(fixture.chain.height == 5)
    }
}
