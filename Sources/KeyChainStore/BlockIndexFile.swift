#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KeyChainCore
import Logging

/// The block index on disk: an append-only log of fixed-size `BlockIndexEntry` records. A later
/// record for the same hash supersedes an earlier one (a status change). Entries are written
/// after the block data they point to, so a crash leaves at worst an unindexed data tail.
final class BlockIndexFile {
    private(set) var file: DataFile
    let path: String
    /// Records in the file, superseded ones included.
    private(set) var recordCount = 0

    /// Opens or creates the index log.
    init(path: String) throws(StoreError) {
        self.path = path
        file = try DataFile(path: path, create: true)
    }

    /// Every entry, the latest record per hash, in the order hashes first appeared. A torn or
    /// damaged tail is cut off (and logged); what came before it is kept.
    func load(logger: Logger) throws(StoreError) -> [BlockIndexEntry] {
        let bytes = try file.read(at: 0, count: Int(file.size))
        let size = BlockIndexEntry.encodedSize
        var order: [Hash256] = []
        var latest: [Hash256: BlockIndexEntry] = [:]
        var offset = 0
        while offset + size <= bytes.count {
            guard let entry = BlockIndexEntry(decoding: bytes, range: offset..<offset + size) else { break }
            if latest.updateValue(entry, forKey: entry.hash) == nil { order.append(entry.hash) }
            offset += size
        }
        recordCount = offset / size
        if offset < bytes.count {
            logger.warning("block index has a torn or damaged tail; cutting it", metadata: [
                "path": "\(path)", "kept_entries": "\(recordCount)", "dropped_bytes": "\(bytes.count - offset)",
            ])
            try file.truncate(to: UInt64(offset))
            try file.sync()
        }
        return order.compactMap { latest[$0] }
    }

    /// Appends one record (durable at the next `sync()`).
    func append(_ entry: BlockIndexEntry) throws(StoreError) {
        try file.append(entry.encoded)
        recordCount += 1
    }

    /// Replaces the log with exactly `entries`, atomically.
    func rewrite(_ entries: [BlockIndexEntry]) throws(StoreError) {
        let temporary = path + ".tmp"
        unlink(temporary)
        let fresh = try DataFile(path: temporary, create: true)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * BlockIndexEntry.encodedSize)
        for entry in entries { bytes += entry.encoded }
        try fresh.append(bytes)
        try fresh.sync()
        guard rename(temporary, path) == 0 else { throw .io(path: path, operation: "rename", errno: errno) }
        file = fresh
        recordCount = entries.count
    }

    /// Forces appended records to the disk.
    func sync() throws(StoreError) { try file.sync() }
}
