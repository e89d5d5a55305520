import Foundation
import KeyChainCore
import NIOConcurrencyHelpers

/// The key index on disk (docs/ARCHITECTURE.md §6): every key's versions on the best chain and
/// every confirmed txid, in one SQLite database in WAL mode beside the segments. One writer
/// records each chain update in one transaction; readers on any thread see committed
/// snapshots and never wait for a write.
///
/// Tables: `keys` (key -> row id, version count, owner), `versions` (key row and number ->
/// height, txid, value, and the author when it is not the owner; `kind` 0 for a put leaves
/// room for other kinds of version), `txids` (confirmed txid -> height), `chain` (height ->
/// block hash on the best chain, which versions and txids name by height), `meta` (format,
/// tip, height, update sequence, totals).
///
/// Sendable by hand: its connections are not, and each is touched only under a lock (the
/// writer's) or by the one thread that took it from the pool of idle readers.
public final class KeyIndexDatabase: @unchecked Sendable {
    /// The format `meta` records; a database in another is refused.
    static let format: Int64 = 1
    /// The database file.
    public let path: String
    private let writeLock = NIOLock()
    private let writer: KeyIndexWriter
    private let readersLock = NIOLock()
    private var idleReaders: [KeyIndexReader] = []
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
            CREATE TABLE IF NOT EXISTS chain (height INTEGER PRIMARY KEY, hash BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS keys (key BLOB PRIMARY KEY, id INTEGER NOT NULL, versions INTEGER NOT NULL, owner BLOB NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS versions (
                key INTEGER NOT NULL, number INTEGER NOT NULL, height INTEGER NOT NULL, txid BLOB NOT NULL,
                value BLOB NOT NULL, author BLOB, kind INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (key, number)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS txids (txid BLOB PRIMARY KEY, height INTEGER NOT NULL) WITHOUT ROWID;
            INSERT OR IGNORE INTO meta (name, value) VALUES ('format', \(Self.format));
            """)
        let check = try connection.prepare("SELECT value FROM meta WHERE name = 'format'")
        let found = try check.step() ? check.int64(0) : 0
        check.reset()
        guard found == Self.format else {
            throw .database(path: path, code: 0, message: "the key index is in format \(found), this node reads format \(Self.format)")
        }
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
        return try writer.write(steps, sequence: sequence)
    }

    /// Empties the index and records `state` (an empty index's: genesis, no keys), in one
    /// transaction: the index is then built again from the blocks.
    public func reset(to state: KeyIndexState) throws(StoreError) {
        writeLock.lock()
        defer { writeLock.unlock() }
        try writer.reset(to: state)
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

    /// Runs `body` with a pooled reader and no transaction around it: for reads of one
    /// statement, which is a snapshot by itself.
    public func readOne<Result>(_ body: (KeyIndexReader) throws(StoreError) -> Result) throws(StoreError) -> Result {
        try withPooledReader(body)
    }

    /// Runs `body` with a reader inside one read transaction: all it reads is one snapshot.
    public func read<Result>(_ body: (KeyIndexReader) throws(StoreError) -> Result) throws(StoreError) -> Result {
        try withPooledReader { reader throws(StoreError) in
            try reader.connection.readTransaction { () throws(StoreError) -> Result in try body(reader) }
        }
    }

    /// An idle reader from the pool (a new one when none is idle), given back after `body`.
    private func withPooledReader<Result>(_ body: (KeyIndexReader) throws(StoreError) -> Result) throws(StoreError) -> Result {
        var idle = readersLock.withLock { idleReaders.popLast() }
        if idle == nil { idle = try openReader() }
        guard let reader = idle else { throw .database(path: path, code: 0, message: "no reader") }
        defer { readersLock.withLock { if idleReaders.count < 16 { idleReaders.append(reader) } } }
        return try body(reader)
    }

    private func openReader() throws(StoreError) -> KeyIndexReader {
        let connection = try SQLiteConnection(path: path, readOnly: true)
        try connection.execute("PRAGMA cache_size = -\(readerCacheKiB); PRAGMA mmap_size = \(mapBytes);")
        return try KeyIndexReader(connection)
    }
}
