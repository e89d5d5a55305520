import Dispatch
import KeyChainChain
import KeyChainCore
import KeyChainTestSupport
import Synchronization
import Testing

/// The last stored blocks, shared by the owner's reads and every peer's outbox.
@Suite struct RecentBlocksTests {
    let parameters: NetworkParameters
    let blocks: [Block]

    init() throws {
        parameters = try TestNetwork.parameters(difficultyBits: 4)
        let author = try TestNetwork.identity(1)
        var parent = parameters.genesisBlock.header
        var made: [Block] = []
        for index in 0..<3 {
            let block = TestNetwork.mine(on: parent, transactions: [try TestNetwork.put("recent/\(index)", "v", by: author)], parameters: parameters)
            made.append(block)
            parent = block.header
        }
        blocks = made
    }

    /// Eight peers' outboxes asking at once get one frame, made once.
    @Test func aBlockIsFramedOnceForEverySender() {
        let recent = RecentBlocks()
        recent.insert(blocks[0], hash: blocks[0].hash)
        let framings = Atomic<Int>(0)
        let frames = Mutex<[[UInt8]]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let frame = recent.frame(of: blocks[0].hash) { block in
                framings.add(1, ordering: .relaxed)
                return Array(block.hash.raw.bytes)
            }
            frames.withLock { $0.append(frame ?? []) }
        }
        #expect(framings.load(ordering: .relaxed) == 1)
        #expect(frames.withLock { Set($0) } == [Array(blocks[0].hash.raw.bytes)])
    }

    /// Beyond its capacity the oldest block goes, and a block it does not hold has no frame
    /// (the transport frames such a block itself, as before).
    @Test func theOldestBlockIsForgottenAtCapacity() {
        let recent = RecentBlocks(capacity: 2)
        for block in blocks { recent.insert(block, hash: block.hash) }
        recent.insert(blocks[2], hash: blocks[2].hash)  // again: still one entry
        #expect(recent.block(blocks[0].hash) == nil)
        #expect(recent.block(blocks[1].hash) == blocks[1])
        #expect(recent.block(blocks[2].hash) == blocks[2])
        #expect(recent.frame(of: blocks[0].hash) { _ in [1] } == nil)
        #expect(recent.frame(of: blocks[1].hash) { _ in [1] } == [1])
    }

    /// The chain puts each block it stores in its cache, and reads it back from there.
    @Test func theChainStoresIntoTheCacheItWasGiven() throws {
        let fixture = try ChainFixture(difficultyBits: 4)
        let block = TestNetwork.mine(on: fixture.parameters.genesisBlock.header,
                                     transactions: [try TestNetwork.put("stored", "v", by: fixture.alice)], parameters: fixture.parameters)
        try fixture.chain.acceptBlock(block)
        #expect(fixture.chain.recentBlocks.block(block.hash) == block)
        #expect(try fixture.chain.block(block.hash) == block)
    }
}
