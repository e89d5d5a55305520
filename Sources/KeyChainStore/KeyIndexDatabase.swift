import Foundation
import KeyChainCore
import NIOConcurrencyHelpers

/// The key index on disk (docs/ARCHITECTURE.md §6): every key's versions on the best chain and
/// every confirmed txid, in one SQLite database in WAL mode beside the segments. One writer
/// records each chain update in one transaction; readers on any thread see committed
/// snapshots and never wait for a write.
///
/// Tables: `keys` (key -> row id, version count, owner, and its latest version: height,
/// txid, value, the author when it is not the owner), `versions` (key row and number -> the
/// same for every earlier version; `kind` 0 for a put leaves room for other kinds of
/// version), `txids` (confirmed txid -> height), `chain` (height -> block hash on the best
/// chain, which versions and txids name by height), `meta` (format, tip, height, update
/// sequence, totals).
///
/// Sendable by hand: its connections are not, and each is touched only under a lock (the
/// writer's, the owner's lookups', or the pool's while a reader is idle in it) or by the one
/// thread that took it from the pool of idle readers.
public final class KeyIndexDatabase: @unchecked Sendable {
    /// The format `meta` records. An older database is emptied (and the index built again
    /// from the blocks); a newer one is refused.
    static let format: Int64 = 2
    /// The database file.
    public let path: String
    private let writeLock = NIOLock()
    private let writer: KeyIndexWriter
    private let readersLock = NIOLock()
    private var idleReaders: [KeyIndexReader] = []
    /// Writes committed so far: what a reader's open snapshot is compared with.
    private var committed: UInt64 = 0
    private let readerCacheKiB: Int
    private let mapBytes: Int
    private let lookupLock = NIOLock()
    private var lookupReader: KeyIndexReader?
    private var lookupsInTransaction = false

    /// Opens the database at `path`, creating it if absent. `cacheBytes` bounds the page
    /// cache the writer keeps in memory; readers keep a small one each and share the file's
    /// pages through the kernel's page cache, which the kernel takes back when it needs the
    /// memory. With `mapBytes`, SQLite maps that much of the file instead of reading it: a
    /// little faster to read, but the mapped pages count in the process's resident size.
    public init(path: String, cacheBytes: Int = 64 << 20, mapBytes: Int = 0) throws(StoreError) {
        self.path = path
        self.mapBytes = mapBytes
        readerCacheKiB = 2_048
        let connection = try SQLiteConnection(path: path, create: true)
        try connection.execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA cache_size = -\(max(cacheBytes >> 10, 1_024));
            PRAGMA mmap_size = \(mapBytes);
            PRAGMA temp_store = MEMORY;
            PRAGMA journal_size_limit = \(16 << 20);
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;
            """)
        let check = try connection.prepare("SELECT value FROM meta WHERE name = 'format'")
        let found = try check.step() ? check.int64(0) : nil
        check.reset()
        if let found, found > Self.format {
            throw .database(path: path, code: 0, message: "the key index is in format \(found), newer than this node's format \(Self.format); run a newer keychain-node, or move keyindex.sqlite away to build the index again from the blocks")
        }
        if let found, found < Self.format {
            // An older layout holds nothing the blocks do not: emptied, the index is built
            // again from them at start-up, once.
            try connection.execute("""
                DROP TABLE IF EXISTS keys; DROP TABLE IF EXISTS versions; DROP TABLE IF EXISTS txids;
                DROP TABLE IF EXISTS chain; DELETE FROM meta;
                """)
        }
        // A key's latest version lives in its `keys` row, the earlier ones in `versions`: a
        // `get` reads one row of one table, and a put moves the row's version into `versions`.
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS chain (height INTEGER PRIMARY KEY, hash BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS keys (
                key BLOB PRIMARY KEY, id INTEGER NOT NULL, versions INTEGER NOT NULL, owner BLOB NOT NULL,
                height INTEGER NOT NULL, txid BLOB NOT NULL, value BLOB NOT NULL, author BLOB, kind INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS versions (
                key INTEGER NOT NULL, number INTEGER NOT NULL, height INTEGER NOT NULL, txid BLOB NOT NULL,
                value BLOB NOT NULL, author BLOB, kind INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (key, number)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS txids (txid BLOB PRIMARY KEY, height INTEGER NOT NULL) WITHOUT ROWID;
            INSERT OR IGNORE INTO meta (name, value) VALUES ('format', \(Self.format));
            """)
        writer = try KeyIndexWriter(connection)
    }

    /// What the index reflects, or nil for a new index.
    public func state() throws(StoreError) -> KeyIndexState? {
        try read { reader throws(StoreError) in try reader.state() }
    }

    /// Records `steps` (a chain update, in order) in one transaction, as update `sequence`.
    @discardableResult
    public func write(_ steps: [KeyIndexStep], sequence: UInt64) throws(StoreError) -> KeyIndexState {
        writeLock.lock()
        defer { writeLock.unlock() }
        let state = try writer.write(steps, sequence: sequence)
        committedWrite()
        return state
    }

    /// Empties the index and records `state` (an empty index's: genesis, no keys), in one
    /// transaction: the index is then built again from the blocks.
    public func reset(to state: KeyIndexState) throws(StoreError) {
        writeLock.lock()
        defer { writeLock.unlock() }
        try writer.reset(to: state)
        committedWrite()
    }

    /// Copies the write-ahead log into the database file and empties it: at a clean close,
    /// so the next start reads one file.
    public func checkpointLog() throws(StoreError) {
        writeLock.lock()
        defer { writeLock.unlock() }
        try writer.checkpointLog()
    }

    /// Runs `body` with the connection kept for the chain's owner, whose lookups (a key's
    /// owner and count, a txid: one statement each) run in one read transaction until
    /// `refreshLookups`: taking SQLite's read lock once for a block's or a batch's thousands of
    /// lookups, not once for each. The owner calls `refreshLookups` whenever it drops from
    /// memory what the writer recorded, so its lookups never miss what it dropped.
    public func lookup<Result>(_ body: (KeyIndexReader) throws(StoreError) -> Result) throws(StoreError) -> Result {
        lookupLock.lock()
        defer { lookupLock.unlock() }
        if lookupReader == nil { lookupReader = try openReader() }
        guard let reader = lookupReader else { throw .database(path: path, code: 0, message: "no reader") }
        if !lookupsInTransaction {
            try reader.connection.beginRead()
            lookupsInTransaction = true
        }
        return try body(reader)
    }

    /// Ends the owner's lookup transaction: the next lookup sees what was written since.
    public func refreshLookups() {
        lookupLock.lock()
        defer { lookupLock.unlock() }
        guard lookupsInTransaction else { return }
        lookupReader?.connection.endRead()
        lookupsInTransaction = false
    }

    /// Runs `body` with a reader inside one read transaction: all it reads is one snapshot,
    /// no older than the last write committed before the call.
    ///
    /// An idle reader keeps its snapshot open until a write makes it stale, so that a run of
    /// reads with no write between them (a client's `get`s at rest) pays for SQLite's read
    /// lock once, not per read. Each write ends the snapshots of the readers idle in the pool,
    /// and a reader in use ends its own when it comes back stale: no snapshot outlives the
    /// next write by more than one read, and none holds back the log's checkpoint.
    public func read<Result>(_ body: (KeyIndexReader) throws(StoreError) -> Result) throws(StoreError) -> Result {
        let (idle, current) = readersLock.withLock { (idleReaders.popLast(), committed) }
        let reader: KeyIndexReader
        if let idle { reader = idle } else { reader = try openReader() }
        if reader.snapshot != current {
            if reader.snapshot != nil { reader.connection.endRead() }
            reader.snapshot = nil
            try reader.connection.beginRead()
            // Taken at the first read, after `current` was: the snapshot is at least as new.
            reader.snapshot = current
        }
        let result: Result
        do { result = try body(reader) } catch {
            reader.connection.endRead()
            reader.snapshot = nil
            throw error
        }
        readersLock.withLock {
            if reader.snapshot != committed || idleReaders.count >= 16 {
                reader.connection.endRead()
                reader.snapshot = nil
            }
            if idleReaders.count < 16 { idleReaders.append(reader) }
        }
        return result
    }

    /// Counts a committed write and ends the idle readers' snapshots, now stale.
    private func committedWrite() {
        readersLock.withLock {
            committed &+= 1
            for reader in idleReaders where reader.snapshot != nil {
                reader.connection.endRead()
                reader.snapshot = nil
            }
        }
    }

    private func openReader() throws(StoreError) -> KeyIndexReader {
        let connection = try SQLiteConnection(path: path, readOnly: true)
        try connection.execute("PRAGMA cache_size = -\(readerCacheKiB); PRAGMA mmap_size = \(mapBytes);")
        return try KeyIndexReader(connection)
    }
}
