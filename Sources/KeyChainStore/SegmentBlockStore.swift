import Dispatch
import Foundation
import KeyChainCore
import Logging
import NIOConcurrencyHelpers

/// A node's blocks on disk: `blocks/NNNNNNNNN.seg` segment files and the `blocks/index` log,
/// reconciled at start-up so that only intact, fully linked blocks are ever served; the key
/// index's database (`keyindex.sqlite`) sits beside them.
public final class SegmentBlockStore: BlockStorage {
    /// The default segment size before rotation.
    public static let defaultSegmentSize: UInt64 = 128 << 20

    /// The `blocks/` directory.
    public let directory: String
    private let segmentSize: UInt64
    let logger: Logger
    private var segments: [UInt32: DataFile] = [:]
    var currentSegment: UInt32 = 0
    let index: BlockIndexFile
    /// The key index's database file.
    public let keyIndexPath: String?
    private var order: [Hash256] = []
    private var byHash: [Hash256: BlockIndexEntry] = [:]
    /// Compresses the blocks stored raw, off the caller's thread; their records are swapped
    /// in by the caller's next `append` or `sync` (`swapCompressed`).
    private let compressor = DispatchQueue(label: "keychain.store.compress", qos: .utility)
    private let compressedRecords = NIOLockedValueBox<[(hash: Hash256, record: [UInt8])]>([])

    /// What start-up reconciliation found and did.
    public struct Reconciliation: Sendable, Equatable {
        /// Bytes cut from segment tails that were torn or corrupt.
        public var truncatedBytes: UInt64 = 0
        /// Blocks found in the segments but missing from the index, now indexed.
        public var reindexedBlocks = 0
        /// Index entries dropped because their data is gone or their parent is.
        public var droppedEntries = 0
        /// Nothing repaired.
        public init() {}
    }

    /// What the last open repaired.
    public internal(set) var reconciliation = Reconciliation()

    /// Opens (creating if needed) the store under `dataDirectory/blocks`, repairing what a crash
    /// left behind.
    public init(
        dataDirectory: String, segmentSize: UInt64 = SegmentBlockStore.defaultSegmentSize,
        logger: Logger = Logger(label: "keychain.store")
    ) throws(StoreError) {
        directory = (dataDirectory as NSString).appendingPathComponent("blocks")
        self.segmentSize = max(segmentSize, 4096)
        self.logger = logger
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory, operation: "mkdir", errno: (error as NSError).code == 0 ? EIO : Int32((error as NSError).code))
        }
        index = try BlockIndexFile(path: (directory as NSString).appendingPathComponent("index"))
        keyIndexPath = (dataDirectory as NSString).appendingPathComponent("keyindex.sqlite")
        // The key index was a checkpoint file before it had a database: the database is built
        // from the blocks once, and the old file goes.
        let legacy = (dataDirectory as NSString).appendingPathComponent("keyindex.checkpoint")
        if FileManager.default.fileExists(atPath: legacy) {
            logger.notice("the key index now lives in keyindex.sqlite; it is built from the stored blocks once, and keyindex.checkpoint is removed")
            unlink(legacy)
        }
        try reconcile()
    }

    public var entries: [BlockIndexEntry] { order.compactMap { byHash[$0] } }

    /// Not `compressed`, a block is written at full size and compressed on a background
    /// queue; the compressed record replaces it at a later `append` or `sync`.
    public func append(_ blocks: [(block: Block, height: UInt32, cumulativeWork: Work)], compressed: Bool) throws(StoreError) -> [BlockIndexEntry] {
        try swapCompressed()
        var written: [BlockIndexEntry] = []
        var touched: Set<UInt32> = []
        for item in blocks {
            let encoded = item.block.encoded
            let location = try write(try SegmentRecord.encode(block: encoded, compressed: compressed), touched: &touched)
            written.append(BlockIndexEntry(header: item.block.header, location: location, height: item.height,
                                           cumulativeWork: item.cumulativeWork, status: .stored))
            if !compressed {
                let hash = item.block.hash
                compressor.async { [compressedRecords] in
                    guard let record = try? SegmentRecord.encode(block: encoded, compressed: true) else { return }
                    compressedRecords.withLockedValue { $0.append((hash, record)) }
                }
            }
        }
        for number in touched.sorted() { try segmentFile(number).sync() }
        // Only now, with the data on disk, may the index point at it.
        for entry in written {
            try index.append(entry)
            remember(entry)
        }
        return written
    }

    /// Appends a record to the current segment (rotating at the size limit), not synced.
    private func write(_ record: [UInt8], touched: inout Set<UInt32>) throws(StoreError) -> BlockLocation {
        var file = try segmentFile(currentSegment)
        if file.size > 0 && file.size + UInt64(record.count) > segmentSize {
            try file.sync()
            currentSegment += 1
            file = try segmentFile(currentSegment)
        }
        let offset = try file.append(record)
        touched.insert(currentSegment)
        return BlockLocation(segment: currentSegment, offset: offset, length: UInt32(record.count))
    }

    /// Puts the records the background compressed in place of the raw ones, crash-safely:
    /// each new record is written and synced, then its index entry (a later entry for a hash
    /// replaces an earlier one), and only then is the old record freed (its magic marked,
    /// synced, and its payload's disk blocks given back). A crash at any moment leaves the
    /// block readable from one record or the other.
    private func swapCompressed() throws(StoreError) {
        let ready = compressedRecords.withLockedValue { ready in
            defer { ready = [] }
            return ready
        }
        guard !ready.isEmpty else { return }
        var moved: [(old: BlockLocation, entry: BlockIndexEntry)] = []
        var touched: Set<UInt32> = []
        for (hash, record) in ready {
            guard var entry = byHash[hash] else { continue }
            let file = try segmentFile(entry.location.segment)
            guard let header = SegmentRecord.header(try file.read(at: entry.location.offset, count: SegmentRecord.headerSize), at: 0),
                  SegmentRecord.isStoredRaw(header), record.count < Int(entry.location.length) else { continue }
            let old = entry.location
            entry.location = try write(record, touched: &touched)
            moved.append((old, entry))
        }
        guard !moved.isEmpty else { return }
        for number in touched.sorted() { try segmentFile(number).sync() }
        for (_, entry) in moved {
            try index.append(entry)
            byHash[entry.hash] = entry
        }
        try index.sync()
        var freed: Set<UInt32> = []
        for (old, _) in moved {
            let file = try segmentFile(old.segment)
            try file.write(withUnsafeBytes(of: SegmentRecord.freedMagic.littleEndian) { Array($0) }, at: old.offset)
            freed.insert(old.segment)
        }
        for number in freed { try segmentFile(number).sync() }
        // The header stays (the scan skips a freed record by its lengths); the rest goes.
        for (old, _) in moved {
            let header = UInt64(SegmentRecord.headerSize)
            try segmentFile(old.segment).punchHole(at: old.offset + header, length: UInt64(old.length) - header)
        }
    }

    /// Waits for the background to compress the blocks written raw so far and swaps their
    /// records in: for tests and a clean close.
    public func finishCompressing() throws(StoreError) {
        compressor.sync {}
        try swapCompressed()
    }

    public func setStatus(_ status: BlockStatus, for hash: Hash256) throws(StoreError) {
        guard var entry = byHash[hash] else { throw .notFound(hash.hex) }
        guard entry.status != status else { return }
        entry.status = status
        try index.append(entry)
        byHash[hash] = entry
    }

    public func block(_ hash: Hash256) throws(StoreError) -> Block {
        guard let entry = byHash[hash] else { throw .notFound(hash.hex) }
        let file = try segmentFile(entry.location.segment)
        let bytes = try file.read(at: entry.location.offset, count: Int(entry.location.length))
        switch SegmentRecord.decode(bytes, at: 0) {
        case let .failure(fault):
            throw .corruptRecord(path: file.path, offset: entry.location.offset, reason: fault.rawValue)
        case let .success(raw):
            guard let block = try? Block(decoding: raw), block.hash == hash else {
                throw .corruptRecord(path: file.path, offset: entry.location.offset, reason: "the record does not hold block \(hash.short)")
            }
            return block
        }
    }

    public func sync() throws(StoreError) {
        try swapCompressed()
        try index.sync()
        try segmentFile(currentSegment).sync()
    }

    public func probeWritable(bytes: Int) throws(StoreError) {
        let path = (directory as NSString).appendingPathComponent("probe")
        defer { unlink(path) }
        let file = try DataFile(path: path, create: true)
        try file.truncate(to: 0)
        _ = try file.append([UInt8](repeating: 0, count: max(bytes, 1)))
        try file.sync()
    }

    // MARK: - Files

    private func segmentPath(_ number: UInt32) -> String {
        let name = String(number)
        return (directory as NSString).appendingPathComponent(String(repeating: "0", count: max(0, 9 - name.count)) + name + ".seg")
    }

    func segmentFile(_ number: UInt32) throws(StoreError) -> DataFile {
        if let file = segments[number] { return file }
        let file = try DataFile(path: segmentPath(number), create: true)
        segments[number] = file
        return file
    }

    func existingSegments() -> [UInt32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> UInt32? in
            guard name.hasSuffix(".seg"), name.count == 13 else { return nil }
            return UInt32(name.dropLast(4))
        }.sorted()
    }

    func remember(_ entry: BlockIndexEntry) {
        if byHash.updateValue(entry, forKey: entry.hash) == nil { order.append(entry.hash) }
    }
}
