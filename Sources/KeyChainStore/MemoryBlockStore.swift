import KeyChainCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `BlockStorage` in memory: the simulator's nodes keep their blocks here, so that a node can
/// "crash" (drop its chain) and restart from what it had stored. Given a capacity, it fails as
/// a full disk does (ENOSPC) when a block does not fit.
public final class MemoryBlockStore: BlockStorage {
    private var order: [Hash256] = []
    private var stored: [Hash256: (entry: BlockIndexEntry, block: Block)] = [:]
    private let capacity: StoreCapacity?
    /// The blocks' encoded bytes held.
    public private(set) var usedBytes = 0

    /// An empty store, with room for as many bytes of blocks as `capacity` says (unbounded
    /// without one).
    public init(capacity: StoreCapacity? = nil) {
        self.capacity = capacity
    }

    public var entries: [BlockIndexEntry] { order.compactMap { stored[$0]?.entry } }

    public func append(_ blocks: [(block: Block, height: UInt32, cumulativeWork: Work)], compressed: Bool) throws(StoreError) -> [BlockIndexEntry] {
        let adding = blocks.reduce(0) { $0 + (stored[$1.block.hash] == nil ? $1.block.encodedSize : 0) }
        try probeWritable(bytes: adding)
        usedBytes += adding
        return blocks.map { item in
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

    /// Nil: a chain on this store keeps its key index in memory too.
    public var keyIndexPath: String? { nil }
    public func sync() throws(StoreError) {}

    public func probeWritable(bytes: Int) throws(StoreError) {
        if let capacity, usedBytes + bytes > capacity.current { throw .io(path: "memory", operation: "write", errno: ENOSPC) }
    }
}
