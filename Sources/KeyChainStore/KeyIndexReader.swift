import KeyChainCore

/// Reads of the key index on disk through one connection. Inside `KeyIndexDatabase.read`
/// every read sees the same committed state (one read transaction); a reader is used by one
/// thread at a time and goes back to the database's pool afterwards.
public final class KeyIndexReader {
    let connection: SQLiteConnection
    private let stateStatement: SQLiteStatement
    private let sequenceStatement: SQLiteStatement
    private let keyStatement: SQLiteStatement
    private let versionsStatement: SQLiteStatement
    private let confirmationStatement: SQLiteStatement
    private let keysStatement: SQLiteStatement

    init(_ connection: SQLiteConnection) throws(StoreError) {
        self.connection = connection
        stateStatement = try connection.prepare("SELECT name, value FROM meta")
        sequenceStatement = try connection.prepare("SELECT value FROM meta WHERE name = 'sequence'")
        keyStatement = try connection.prepare("SELECT id, versions, owner FROM keys WHERE key = ?1")
        versionsStatement = try connection.prepare("""
            SELECT v.height, c.hash, v.txid, v.author, v.value FROM versions v JOIN chain c ON c.height = v.height
            WHERE v.key = ?1 AND v.number >= ?2 ORDER BY v.number LIMIT ?3
            """)
        confirmationStatement = try connection.prepare("SELECT t.height, c.hash FROM txids t JOIN chain c ON c.height = t.height WHERE t.txid = ?1")
        keysStatement = try connection.prepare("SELECT key FROM keys WHERE key >= ?1 ORDER BY key LIMIT ?2")
    }

    /// What the index reflects, or nil for an index no update was written to yet.
    public func state() throws(StoreError) -> KeyIndexState? {
        defer { stateStatement.reset() }
        var values: [String: [UInt8]] = [:]
        var numbers: [String: Int64] = [:]
        while try stateStatement.step() {
            let name = String(decoding: stateStatement.blob(0), as: UTF8.self)
            values[name] = stateStatement.blob(1)
            numbers[name] = stateStatement.int64(1)
        }
        guard let tip = values["tip"].flatMap(Bytes32.init).map(Hash256.init(raw:)), let height = numbers["height"],
              let sequence = numbers["sequence"], let keys = numbers["keys"], let puts = numbers["puts"] else { return nil }
        return KeyIndexState(tip: tip, height: UInt32(truncatingIfNeeded: height), sequence: UInt64(bitPattern: sequence),
                             keys: Int(keys), puts: Int(puts))
    }

    /// The last chain update the index recorded (0 for a new index).
    public func sequence() throws(StoreError) -> UInt64 {
        defer { sequenceStatement.reset() }
        return try sequenceStatement.step() ? UInt64(bitPattern: sequenceStatement.int64(0)) : 0
    }

    /// The key's record, or nil if it has no version.
    public func key(_ key: some Collection<UInt8>) throws(StoreError) -> KeyRecord? {
        defer { keyStatement.reset() }
        keyStatement.bind(1, key)
        guard try keyStatement.step() else { return nil }
        guard let owner = Bytes32(keyStatement.blob(2)) else { throw corrupt("a key's owner is not 32 bytes") }
        return KeyRecord(id: keyStatement.int64(0), versions: Int(keyStatement.int64(1)), owner: PublicKey(raw: owner))
    }

    /// Up to `count` of the key's versions from number `first`, oldest first.
    public func versions(of record: KeyRecord, from first: Int, count: Int) throws(StoreError) -> [KeyVersion] {
        defer { versionsStatement.reset() }
        versionsStatement.bind(1, record.id)
        versionsStatement.bind(2, Int64(first))
        versionsStatement.bind(3, Int64(count))
        var versions: [KeyVersion] = []
        while try versionsStatement.step() {
            guard let block = Bytes32(versionsStatement.blob(1)).map(Hash256.init(raw:)), let txid = Bytes32(versionsStatement.blob(2)).map(Hash256.init(raw:)) else {
                throw corrupt("a version's block or txid is not 32 bytes")
            }
            var author = record.owner
            if !versionsStatement.isNull(3) {
                guard let raw = Bytes32(versionsStatement.blob(3)) else { throw corrupt("a version's author is not 32 bytes") }
                author = PublicKey(raw: raw)
            }
            versions.append(KeyVersion(value: versionsStatement.blob(4), height: UInt32(truncatingIfNeeded: versionsStatement.int64(0)),
                                       blockHash: block, txid: txid, author: author))
        }
        return versions
    }

    /// The height and block of a confirmed put, or nil if it is not on the best chain.
    public func confirmation(of txid: Hash256) throws(StoreError) -> (height: UInt32, block: Hash256)? {
        defer { confirmationStatement.reset() }
        confirmationStatement.bind(1, txid.raw.bytes)
        guard try confirmationStatement.step() else { return nil }
        guard let block = Bytes32(confirmationStatement.blob(1)).map(Hash256.init(raw:)) else { throw corrupt("a block hash is not 32 bytes") }
        return (UInt32(truncatingIfNeeded: confirmationStatement.int64(0)), block)
    }

    /// Up to `limit` keys from `start` on (inclusive), in byte order.
    public func keys(from start: some Collection<UInt8>, limit: Int) throws(StoreError) -> [[UInt8]] {
        defer { keysStatement.reset() }
        keysStatement.bind(1, start)
        keysStatement.bind(2, Int64(limit))
        var keys: [[UInt8]] = []
        while try keysStatement.step() { keys.append(keysStatement.blob(0)) }
        return keys
    }

    private func corrupt(_ reason: String) -> StoreError {
        .database(path: connection.path, code: 11, message: reason)  // SQLITE_CORRUPT
    }
}
