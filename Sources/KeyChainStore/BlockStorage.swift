import KeyChainCore

/// Where a chain keeps its blocks: on disk (`SegmentBlockStore`) or in memory
/// (`MemoryBlockStore`, for the simulator and tests). The chain owns its storage and calls it
/// from one thread at a time.
public protocol BlockStorage: AnyObject {
    /// Every stored block, latest status per hash, in the order they were stored.
    var entries: [BlockIndexEntry] { get }

    /// Stores blocks durably (fsynced before returning) with status `.stored`; not
    /// `compressed`, their records hold them at full size (zlib's stored mode), which takes a
    /// full block a few milliseconds instead of 45-150.
    func append(_ blocks: [(block: Block, height: UInt32, cumulativeWork: Work)], compressed: Bool) throws(StoreError) -> [BlockIndexEntry]

    /// Records a new status for a stored block.
    func setStatus(_ status: BlockStatus, for hash: Hash256) throws(StoreError)

    /// Reads a stored block back; throws rather than return damaged data.
    func block(_ hash: Hash256) throws(StoreError) -> Block

    /// Where the key index's database lives beside the blocks (`KeyIndexDatabase`), or nil
    /// for a store that keeps it in memory with the blocks.
    var keyIndexPath: String? { get }

    /// Flushes everything written so far to the disk.
    func sync() throws(StoreError)

    /// Whether `bytes` more could be written and synced now: writes and removes a scratch file
    /// of that size. A node whose disk filled asks this until it passes.
    func probeWritable(bytes: Int) throws(StoreError)
}

extension BlockStorage {
    /// Stores blocks durably, compressed.
    public func append(_ blocks: [(block: Block, height: UInt32, cumulativeWork: Work)]) throws(StoreError) -> [BlockIndexEntry] {
        try append(blocks, compressed: true)
    }

    /// Stores one block durably.
    @discardableResult
    public func append(_ block: Block, height: UInt32, cumulativeWork: Work, compressed: Bool = true) throws(StoreError) -> BlockIndexEntry {
        let stored = try append([(block, height, cumulativeWork)], compressed: compressed)
        guard let entry = stored.first else { throw .notFound(block.hash.hex) }
        return entry
    }
}
