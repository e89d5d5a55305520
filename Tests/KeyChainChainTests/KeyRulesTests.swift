import KeyChainChain
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport
import Testing

@Suite struct KeyRulesTests {
    /// Two writers race on one key with the same expected version: exactly one lands and the
    /// other is refused as a conflict, never a silent overwrite.
    @Test func compareAndSetRaceHasOneWinner() throws {
        let fixture = try ChainFixture()
        let seed = try fixture.put("counter", "0", by: fixture.alice)
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock) { _ in [seed] }
        let first = try fixture.put("counter", "1 from writer A", by: fixture.alice, expectedVersion: 1)
        let second = try fixture.put("counter", "1 from writer B", by: fixture.alice, expectedVersion: 1)
        try fixture.chain.submit(first)
        #expect(throws: TransactionError.conflict(key: "counter", expected: 1, actual: 2)) { try fixture.chain.submit(second) }
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock)
        #expect(try fixture.chain.keyIndex.versions(of: "counter").map(\.txid) == [seed.id, first.id])
        #expect(throws: TransactionError.conflict(key: "counter", expected: 1, actual: 2)) { try fixture.chain.submit(second) }
    }

    /// The same race across two nodes: each admits its own writer; when one node's block
    /// reaches the other, the losing put is evicted with a conflict.
    @Test func compareAndSetRaceAcrossTwoNodes() throws {
        let nodeA = try ChainFixture()
        let nodeB = try ChainFixture()
        let seed = try TestNetwork.extend(nodeA.chain, blocks: 1, clock: nodeA.clock) { _ in [try nodeA.put("counter", "0", by: nodeA.alice)] }
        try nodeB.chain.acceptBlock(seed[0])
        let writerA = try nodeA.put("counter", "A", by: nodeA.alice, expectedVersion: 1)
        let writerB = try nodeB.put("counter", "B", by: nodeB.alice, expectedVersion: 1)
        try nodeA.chain.submit(writerA)
        try nodeB.chain.submit(writerB)
        let mined = try TestNetwork.extend(nodeA.chain, blocks: 1, clock: nodeA.clock)
        let update = try nodeB.chain.acceptBlock(mined[0])
        #expect(update.evicted.map(\.transaction.id) == [writerB.id])
        #expect(update.evicted.first?.reason == .conflict(key: "counter", expected: 1, actual: 2))
        #expect(nodeB.value("counter") == "A")
        #expect(nodeB.chain.mempool.count == 0)
    }

    /// A block from elsewhere confirms a later waiting put on a key but not an earlier one:
    /// the earlier compare-and-set is now a conflict and leaves, while a waiting put on another
    /// key keeps its place.
    @Test func aBlockThatSkipsAWaitingPutEvictsWhatItInvalidated() throws {
        let fixture = try ChainFixture()
        let seed = try fixture.put("k", "v0", by: fixture.alice)
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock) { _ in [seed] }
        let expectsOne = try fixture.put("k", "a", by: fixture.alice, expectedVersion: 1)
        let elsewhere = try fixture.put("other", "c", by: fixture.alice)
        let plain = try fixture.put("k", "b", by: fixture.alice)
        for put in [expectsOne, elsewhere, plain] { try fixture.chain.submit(put) }
        let update = try fixture.chain.acceptBlock(fixture.block(on: fixture.chain.tip.header, [plain]))
        #expect(update.evicted.map(\.transaction.id) == [expectsOne.id])
        #expect(update.evicted.first?.reason == .conflict(key: "k", expected: 1, actual: 2))
        #expect(fixture.chain.mempool.transactions.map(\.id) == [elsewhere.id])
        #expect(fixture.value("k") == "b")
    }

    @Test func onlyTheOwnerAddsVersions() throws {
        let fixture = try ChainFixture()
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock) { _ in [try fixture.put("alice/profile", "v1", by: fixture.alice)] }
        let theft = try fixture.put("alice/profile", "bob was here", by: fixture.bob)
        #expect(throws: TransactionError.notOwner(key: "alice/profile", owner: fixture.alice.publicKey)) { try fixture.chain.submit(theft) }
        try fixture.chain.submit(try fixture.put("alice/profile", "v2", by: fixture.alice))
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock)
        #expect(try fixture.chain.keyIndex.versions(of: "alice/profile").map { String(decoding: $0.value, as: UTF8.self) } == ["v1", "v2"])
        #expect(try fixture.chain.keyIndex.owner(of: "alice/profile") == fixture.alice.publicKey)
    }

    @Test func aPendingFirstPutClaimsANewKey() throws {
        let fixture = try ChainFixture()
        try fixture.chain.submit(try fixture.put("fresh", "alice first", by: fixture.alice))
        #expect(throws: TransactionError.notOwner(key: "fresh", owner: fixture.alice.publicKey)) {
            try fixture.chain.submit(try fixture.put("fresh", "bob second", by: fixture.bob))
        }
    }

    @Test func mempoolRefusesDuplicatesReplaysAndOversizedValues() throws {
        let fixture = try ChainFixture(maxValueLength: 10)
        let put = try fixture.put("k", "v", by: fixture.alice)
        try fixture.chain.submit(put)
        #expect(throws: TransactionError.duplicate(put.id)) { try fixture.chain.submit(put) }
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock)
        #expect(throws: TransactionError.alreadyConfirmed(put.id)) { try fixture.chain.submit(put) }
        #expect(throws: TransactionError.valueTooLarge(size: 11, maximum: 10)) {
            try fixture.chain.submit(try fixture.put("k", "01234567890", by: fixture.alice))
        }
        let forged = try fixture.put("k", "x", by: fixture.alice)
        #expect(throws: TransactionError.badSignature) { try fixture.chain.submit(forged.withSignature(fixture.bob.sign(forged.id.bytes))) }
    }

    @Test func templatesAreMempoolPrefixesWithinTheSizeLimit() throws {
        let fixture = try ChainFixture(maxBlockSize: 4_096)
        let puts = try (0..<40).map { try fixture.put("t\($0)", String(repeating: "z", count: 100), by: fixture.alice) }
        for put in puts { try fixture.chain.submit(put) }
        let template = fixture.chain.makeTemplate()
        #expect(template.transactions.map(\.id) == Array(puts.prefix(template.transactions.count)).map(\.id))
        #expect(template.block(nonce: 0).encodedSize <= 4_096)
        #expect(template.transactions.count > 10 && template.transactions.count < 40)
        var minedBlocks = 0
        while fixture.chain.mempool.count > 0 && minedBlocks < 10 {
            try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock)
            minedBlocks += 1
        }
        #expect(fixture.chain.keyIndex.keyCount == 40)
        #expect(minedBlocks > 1)
    }

    /// Mining ahead: on a block whose body checks passed but that is neither stored nor
    /// connected yet, a template takes the waiting puts that the block neither holds nor writes
    /// the key of, so that connecting the block cannot make it invalid; mined, it connects
    /// after the block.
    @Test func aTemplateOnACheckedBlockSkipsItsPutsAndTheirKeys() throws {
        let fixture = try ChainFixture()
        let a1 = try fixture.put("ahead/a", "1", by: fixture.alice)
        let b1 = try fixture.put("ahead/b", "1", by: fixture.alice)
        let a2 = try fixture.put("ahead/a", "2", by: fixture.alice)
        let c1 = try fixture.put("ahead/c", "1", by: fixture.alice)
        for put in [a1, b1, a2, c1] { try fixture.chain.submit(put) }
        let block = fixture.block(on: fixture.chain.tip.header, [a1, b1])
        try fixture.chain.checkBody(block)
        #expect(fixture.chain.tree.node(block.hash)?.hasData == false, "checked, not stored")
        #expect(fixture.chain.height == 0)
        let template = try #require(fixture.chain.makeTemplate(extending: block))
        #expect(template.transactions.map(\.id) == [c1.id])
        #expect(template.header.previous == block.hash && template.height == 2)
        try fixture.chain.acceptBlock(block)
        let next = template.block(nonce: TestNetwork.solve(template.header, target: fixture.parameters.target))
        try fixture.chain.acceptBlock(next)
        #expect(fixture.chain.height == 2)
        #expect(fixture.value("ahead/a") == "1" && fixture.value("ahead/c") == "1")
        #expect(fixture.chain.mempool.transactions.map(\.id) == [a2.id])
        // A block that does not extend the tip is no block to mine on.
        let sibling = fixture.block(on: block.header, [], offset: 5_000)
        try fixture.chain.checkBody(sibling)
        #expect(fixture.chain.makeTemplate(extending: sibling) == nil)
    }

    /// The store skips the body check `checkBody` just passed only for that very body: a body
    /// with the same header and txids but other signatures (a txid leaves the signature out)
    /// is checked and refused, and the real body is still taken.
    @Test func aCheckedBodyVouchesForItselfNotForItsHash() throws {
        let fixture = try ChainFixture()
        let put = try fixture.put("checked/a", "1", by: fixture.alice)
        let block = fixture.block(on: fixture.chain.tip.header, [put])
        try fixture.chain.checkBody(block)
        let forged = Block(header: block.header, transactions: block.transactions.map { $0.withSignature(.zero) })
        #expect(forged.hash == block.hash)
        #expect(throws: BlockError.self) { try fixture.chain.store(forged) }
        #expect(fixture.chain.tree.node(block.hash)?.hasData == false)
        #expect(fixture.chain.height == 0)
        try fixture.chain.acceptBlock(block)
        #expect(fixture.chain.height == 1)
    }

    /// What anti-entropy re-offers: the oldest waiting puts in arrival order, none confirmed.
    @Test func oldestWaitingPutsComeInArrivalOrderWithoutTheConfirmed() throws {
        let fixture = try ChainFixture(maxBlockSize: 4_096)
        let puts = try (0..<40).map { try fixture.put("o\($0)", String(repeating: "z", count: 100), by: fixture.alice) }
        for put in puts { try fixture.chain.submit(put) }
        #expect(fixture.chain.mempool.oldest(5) == puts.prefix(5).map(\.id))
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock)
        let waiting = fixture.chain.mempool.transactions.map(\.id)
        #expect(waiting.count < 40)
        #expect(fixture.chain.mempool.oldest(5) == Array(waiting.prefix(5)))
        #expect(fixture.chain.mempool.oldest(100) == waiting)
    }

    @Test func prefixListingPagesInByteOrder() throws {
        let fixture = try ChainFixture()
        let names = ["app/b", "app/a", "apq", "app/c/d", "ap", "app/é", "zzz"]
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock) { _ in try names.map { try fixture.put($0, "v", by: fixture.alice) } }
        // Read while the keys are in memory, waiting for the database, and once they are on disk.
        for onDisk in [false, true] {
            if onDisk { fixture.chain.awaitKeyIndexWritten() }
            let index = fixture.chain.keyIndex
            #expect(try index.keys(prefix: "app/", limit: 10) == ["app/a", "app/b", "app/c/d", "app/é"])
            #expect(try index.keys(prefix: "app/", limit: 2) == ["app/a", "app/b"])
            #expect(try index.keys(prefix: "app/", after: "app/b", limit: 2) == ["app/c/d", "app/é"])
            #expect(try index.keys(prefix: "", limit: 100).count == names.count)
            #expect(try index.keys(prefix: "nothing", limit: 5).isEmpty)
            #expect(try index.keys(prefix: "ap", after: "app/é", limit: 5) == ["apq"])
        }
        #expect(fixture.chain.keyIndex.heldInMemory == 0)
    }

    /// Keys are bytes: two spellings that Swift's String equality would fold together are two
    /// keys with two owners.
    @Test func canonicallyEquivalentSpellingsAreDifferentKeys() throws {
        let fixture = try ChainFixture()
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        try TestNetwork.extend(fixture.chain, blocks: 1, clock: fixture.clock) { _ in
            [try fixture.put(composed, "alice's", by: fixture.alice), try fixture.put(decomposed, "bob's", by: fixture.bob)]
        }
        #expect(fixture.chain.keyIndex.keyCount == 2)
        #expect(try fixture.chain.keyIndex.owner(of: composed) == fixture.alice.publicKey)
        #expect(try fixture.chain.keyIndex.owner(of: decomposed) == fixture.bob.publicKey)
    }
}
