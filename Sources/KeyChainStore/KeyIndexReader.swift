import KeyChainCore

/// Reads of the key index on disk through one connection. Inside `KeyIndexDatabase.read`
/// every read sees the same committed state (one read transaction); alone, each statement is
/// a transaction of its own. A reader is used by one thread at a time and goes back to the
/// database's pool afterwards.
public final class KeyIndexReader {
    let connection: SQLiteConnection
    /// The database's count of committed writes when this reader's open read transaction
    /// began, or nil when it has none (`KeyIndexDatabase.read`).
    var snapshot: UInt64?
    private let stateStatement: SQLiteStatement
    private let sequenceStatement: SQLiteStatement
    private let keyStatement: SQLiteStatement
    private let versionsStatement: SQLiteStatement
    private let latestStatement: SQLiteStatement
    private let confirmationStatement: SQLiteStatement
    private let keysStatement: SQLiteStatement

    init(_ connection: SQLiteConnection) throws(StoreError) {
        self.connection = connection
        stateStatement = try connection.prepare("SELECT name, value FROM meta")
        sequenceStatement = try connection.prepare("SELECT value FROM meta WHERE name = 'sequence'")
        keyStatement = try connection.prepare("SELECT id, versions, owner FROM keys WHERE key = ?1")
        // Versions `?2` to `?3` (exclusive) of key `?1`: the earlier ones from `versions`, the
        // latest from the key's row; each with the key's owner, for versions whose author is NULL.
        versionsStatement = try connection.prepare("""
            SELECT v.height, c.hash, v.txid, v.author, v.value, k.owner, v.number
            FROM keys k JOIN versions v ON v.key = k.id JOIN chain c ON c.height = v.height
            WHERE k.key = ?1 AND v.number >= ?2 AND v.number < ?3
            UNION ALL
            SELECT k.height, c.hash, k.txid, k.author, k.value, k.owner, k.versions - 1
            FROM keys k JOIN chain c ON c.height = k.height
            WHERE k.key = ?1 AND k.versions - 1 >= ?2 AND k.versions - 1 < ?3
            ORDER BY 7
            """)
        // A key's latest version: one row of one table, and its block's hash.
        latestStatement = try connection.prepare("""
            SELECT k.versions, k.height, c.hash, k.txid, k.author, k.value, k.owner
            FROM keys k JOIN chain c ON c.height = k.height WHERE k.key = ?1
            """)
        confirmationStatement = try connection.prepare("SELECT t.height, c.hash FROM txids t JOIN chain c ON c.height = t.height WHERE t.txid = ?1")
        keysStatement = try connection.prepare("SELECT key FROM keys WHERE key >= ?1 ORDER BY key LIMIT ?2")
    }

    /// What the index reflects, or nil for an index no update was written to yet.
    public func state() throws(StoreError) -> KeyIndexState? {
        defer { stateStatement.reset() }
        var tip: Hash256?
        var numbers: [String: Int64] = [:]
        while try stateStatement.step() {
            let name = String(decoding: stateStatement.blob(0), as: UTF8.self)
            if name == "tip" { tip = stateStatement.bytes32(1).map(Hash256.init(raw:)) } else { numbers[name] = stateStatement.int64(1) }
        }
        guard let tip, let height = numbers["height"], let sequence = numbers["sequence"], let keys = numbers["keys"],
              let puts = numbers["puts"] else { return nil }
        return KeyIndexState(tip: tip, height: UInt32(truncatingIfNeeded: height), sequence: UInt64(bitPattern: sequence),
                             keys: Int(keys), puts: Int(puts))
    }

    /// The last chain update the index recorded (0 for a new index).
    public func sequence() throws(StoreError) -> UInt64 {
        defer { sequenceStatement.reset() }
        return try sequenceStatement.step() ? UInt64(bitPattern: sequenceStatement.int64(0)) : 0
    }

    /// The key's record, or nil if it has no version.
    public func key(_ key: String) throws(StoreError) -> KeyRecord? {
        defer { keyStatement.reset() }
        keyStatement.bind(1, utf8: key)
        guard try keyStatement.step() else { return nil }
        guard let owner = keyStatement.bytes32(2) else { throw corrupt("a key's owner is not 32 bytes") }
        return KeyRecord(id: keyStatement.int64(0), versions: Int(keyStatement.int64(1)), owner: PublicKey(raw: owner))
    }

    /// Up to `count` of the key's versions from number `first`, oldest first.
    public func versions(of key: String, from first: Int, count: Int) throws(StoreError) -> [KeyVersion] {
        defer { versionsStatement.reset() }
        versionsStatement.bind(1, utf8: key)
        versionsStatement.bind(2, Int64(first))
        versionsStatement.bind(3, Int64(first) &+ Int64(max(count, 0)))
        var versions: [KeyVersion] = []
        while try versionsStatement.step() { versions.append(try version(versionsStatement)) }
        return versions
    }

    /// The key's latest version and its number, or nil if it has none.
    public func latest(_ key: String) throws(StoreError) -> (number: Int, version: KeyVersion)? {
        defer { latestStatement.reset() }
        latestStatement.bind(1, utf8: key)
        guard try latestStatement.step() else { return nil }
        return (Int(latestStatement.int64(0)) - 1, try version(latestStatement, from: 1))
    }

    /// Every version of the key, oldest first.
    public func history(_ key: String) throws(StoreError) -> [KeyVersion] {
        try versions(of: key, from: 0, count: Int(Int32.max))
    }

    /// The height and block of a confirmed put, or nil if it is not on the best chain.
    public func confirmation(of txid: Hash256) throws(StoreError) -> (height: UInt32, block: Hash256)? {
        defer { confirmationStatement.reset() }
        confirmationStatement.bind(1, txid.raw)
        guard try confirmationStatement.step() else { return nil }
        guard let block = confirmationStatement.bytes32(1) else { throw corrupt("a block hash is not 32 bytes") }
        return (UInt32(truncatingIfNeeded: confirmationStatement.int64(0)), Hash256(raw: block))
    }

    /// Up to `limit` keys from `start` on (inclusive), in byte order.
    public func keys(from start: String, limit: Int) throws(StoreError) -> [String] {
        defer { keysStatement.reset() }
        keysStatement.bind(1, utf8: start)
        keysStatement.bind(2, Int64(limit))
        var keys: [String] = []
        while try keysStatement.step() { keys.append(String(decoding: keysStatement.blob(0), as: UTF8.self)) }
        return keys
    }

    /// The version in columns `first` on: height, block, txid, author (NULL: the owner),
    /// value, owner.
    private func version(_ row: SQLiteStatement, from first: Int32 = 0) throws(StoreError) -> KeyVersion {
        guard let block = row.bytes32(first + 1), let txid = row.bytes32(first + 2) else {
            throw corrupt("a version's block or txid is not 32 bytes")
        }
        guard let author = row.bytes32(row.isNull(first + 3) ? first + 5 : first + 3) else {
            throw corrupt("a version's author or its key's owner is not 32 bytes")
        }
        return KeyVersion(value: row.blob(first + 4), height: UInt32(truncatingIfNeeded: row.int64(first)), blockHash: Hash256(raw: block),
                          txid: Hash256(raw: txid), author: PublicKey(raw: author))
    }

    private func corrupt(_ reason: String) -> StoreError {
        .database(path: connection.path, code: 11, message: reason)  // SQLITE_CORRUPT
    }
}
