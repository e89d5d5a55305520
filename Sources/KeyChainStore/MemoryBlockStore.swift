import KeyChainCore

/// `BlockStorage` in memory: the simulator's nodes keep their blocks here, so that a node can
/// "crash" (drop its chain) and restart from what it had stored.
public final class MemoryBlockStore: BlockStorage {
    private var order: [Hash256] = []
    private var stored: [Hash256: (entry: BlockIndexEntry, block: Block)] = [:]
    private let checkpoint = MemoryCheckpoint()

    /// An empty store.
    public init() {}

    public var entries: [BlockIndexEntry] { order.compactMap { stored[$0]?.entry } }

    public func append(_ blocks: [(block: Block, height: UInt32, cumulativeWork: Work)], compressed: Bool) throws(StoreError) -> [BlockIndexEntry] {
        blocks.map { item in
            let location = BlockLocation(segment: 0, offset: UInt64(order.count), length: UInt32(item.block.encodedSize))
            let entry = BlockIndexEntry(header: item.block.header, location: location, height: item.height,
                                        cumulativeWork: item.cumulativeWork, status: .stored)
            if stored[entry.hash] == nil { order.append(entry.hash) }
            stored[entry.hash] = (entry, item.block)
            return entry
        }
    }

    public func setStatus(_ status: BlockStatus, for hash: Hash256) throws(StoreError) {
        guard stored[hash] != nil else { throw .notFound(hash.hex) }
        stored[hash]?.entry.status = status
    }

    public func block(_ hash: Hash256) throws(StoreError) -> Block {
        guard let item = stored[hash] else { throw .notFound(hash.hex) }
        return item.block
    }

    public func writeCheckpoint(_ bytes: [UInt8]) throws(StoreError) { try checkpoint.write(bytes) }
    public func readCheckpoint() -> [UInt8]? { checkpoint.read() }
    public var checkpointSink: any CheckpointSink { checkpoint }
    public func sync() throws(StoreError) {}

    public func probeWritable(bytes: Int) throws(StoreError) {}
}
