import Dispatch
import KeyChainChain
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport
import NIOConcurrencyHelpers
import Testing

/// The periodic key-index checkpoint is written behind the chain: connecting the block that
/// calls for it does not wait for the index to be serialised and written.
@Suite struct CheckpointInBackgroundTests {
    /// A checkpoint whose writes wait at a gate the test opens (for at most 10 s).
    final class GatedCheckpoint: CheckpointSink {
        let started = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        /// Each write's bytes, and whether the gate was opened for it (rather than timing out).
        let written = NIOLockedValueBox<[(bytes: [UInt8], gateOpened: Bool)]>([])

        func write(_ bytes: [UInt8]) throws(StoreError) {
            started.signal()
            let opened = gate.wait(timeout: .now() + .seconds(10)) == .success
            written.withLockedValue { $0.append((bytes, opened)) }
        }
    }

    /// Blocks in memory, the checkpoint through the gate.
    final class GatedStore: BlockStorage {
        let blocks = MemoryBlockStore()
        let checkpoint = GatedCheckpoint()
        var entries: [BlockIndexEntry] { blocks.entries }
        func append(_ items: [(block: Block, height: UInt32, cumulativeWork: Work)], compressed: Bool) throws(StoreError) -> [BlockIndexEntry] {
            try blocks.append(items, compressed: compressed)
        }
        func setStatus(_ status: BlockStatus, for hash: Hash256) throws(StoreError) { try blocks.setStatus(status, for: hash) }
        func block(_ hash: Hash256) throws(StoreError) -> Block { try blocks.block(hash) }
        func writeCheckpoint(_ bytes: [UInt8]) throws(StoreError) { try checkpoint.write(bytes) }
        var checkpointSink: any CheckpointSink { checkpoint }
        func readCheckpoint() -> [UInt8]? { checkpoint.written.withLockedValue { $0.last?.bytes } }
        func sync() throws(StoreError) {}
        func probeWritable(bytes: Int) throws(StoreError) {}
    }

    @Test func theChainMovesOnWhileItsCheckpointIsWritten() throws {
        let store = GatedStore()
        let parameters = try TestNetwork.parameters(difficultyBits: 6)
        let clock = ManualClock(start: TestNetwork.createdAt + 1_000_000_000)
        let chain = try Blockchain(parameters: parameters, storage: store, clock: clock.function, checkpointInterval: 5)
        let author = try TestNetwork.identity(0xA1)
        // Block 5 calls for a checkpoint; the chain goes on to block 7 while it waits at the gate.
        try TestNetwork.extend(chain, blocks: 7, clock: clock) { height in [try TestNetwork.put("k/\(height)", "v", by: author)] }
        #expect(chain.height == 7)
        #expect(store.checkpoint.started.wait(timeout: .now() + .seconds(10)) == .success, "no checkpoint was begun")
        store.checkpoint.gate.signal()
        chain.awaitCheckpoints()

        let written = store.checkpoint.written.withLockedValue { $0 }
        #expect(written.count == 1)
        #expect(written.first?.gateOpened == true, "the chain waited for its checkpoint")
        let restored = try KeyIndex(checkpoint: written.first?.bytes ?? [])
        #expect(restored.height == 5)
        #expect(restored.keyCount == 5)
    }
}
