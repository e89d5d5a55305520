import KeyChainCore

/// The one connection that writes the key index on disk: each chain update in one
/// transaction, so the index is always at a block the chain once had as its tip.
final class KeyIndexWriter {
    private let connection: SQLiteConnection
    private let reader: KeyIndexReader
    private let keepLatest: SQLiteStatement
    private let addVersion: SQLiteStatement
    private let restoreLatest: SQLiteStatement
    private let deleteKey: SQLiteStatement
    private let deleteVersion: SQLiteStatement
    private let insertTxid: SQLiteStatement
    private let deleteTxid: SQLiteStatement
    private let insertBlock: SQLiteStatement
    private let deleteBlock: SQLiteStatement
    private let setMeta: SQLiteStatement
    private let nextKeyIDStatement: SQLiteStatement

    init(_ connection: SQLiteConnection) throws(StoreError) {
        self.connection = connection
        reader = try KeyIndexReader(connection)
        // A put first moves the key's latest version (if it has one) from its row into
        // `versions`, then makes its own the row's: a new key takes the next id, a known one
        // counts one more version. The key's id, count and owner come back.
        keepLatest = try connection.prepare("""
            INSERT INTO versions (key, number, height, txid, value, author, kind)
            SELECT id, versions - 1, height, txid, value, author, kind FROM keys WHERE key = ?1
            """)
        addVersion = try connection.prepare("""
            INSERT INTO keys (key, id, versions, owner, height, txid, value, author) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, NULL)
            ON CONFLICT (key) DO UPDATE SET versions = versions + 1, height = excluded.height, txid = excluded.txid,
                value = excluded.value, author = NULLIF(excluded.owner, owner), kind = 0
            RETURNING id, versions, owner
            """)
        // Undoing a put makes the version before it the row's latest again.
        restoreLatest = try connection.prepare("""
            UPDATE keys SET versions = versions - 1, (height, txid, value, author, kind) =
                (SELECT v.height, v.txid, v.value, v.author, v.kind FROM versions v WHERE v.key = keys.id AND v.number = ?2)
            WHERE key = ?1
            """)
        deleteKey = try connection.prepare("DELETE FROM keys WHERE key = ?1")
        deleteVersion = try connection.prepare("DELETE FROM versions WHERE key = (SELECT id FROM keys WHERE key = ?1) AND number = ?2")
        insertTxid = try connection.prepare("INSERT INTO txids (txid, height) VALUES (?1, ?2)")
        deleteTxid = try connection.prepare("DELETE FROM txids WHERE txid = ?1")
        insertBlock = try connection.prepare("INSERT OR REPLACE INTO chain (height, hash) VALUES (?1, ?2)")
        deleteBlock = try connection.prepare("DELETE FROM chain WHERE height = ?1")
        setMeta = try connection.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES (?1, ?2)")
        nextKeyIDStatement = try connection.prepare("SELECT value FROM meta WHERE name = 'nextKeyID'")
    }

    /// What the index reflects now.
    func state() throws(StoreError) -> KeyIndexState? { try reader.state() }

    /// Records `steps` in order and the state they end at, in one transaction.
    func write(_ steps: [KeyIndexStep], sequence: UInt64) throws(StoreError) -> KeyIndexState {
        try connection.writeTransaction { () throws(StoreError) -> KeyIndexState in
            var state = try reader.state() ?? KeyIndexState(tip: .zero, height: 0, sequence: 0, keys: 0, puts: 0)
            var nextKeyID = try storedNextKeyID()
            for step in steps {
                switch step {
                case let .apply(block, hash, height):
                    try apply(block, height: height, state: &state, nextKeyID: &nextKeyID)
                    insertBlock.bind(1, Int64(height))
                    insertBlock.bind(2, hash.raw)
                    try insertBlock.run()
                    state.tip = hash
                    state.height = height
                case let .undo(block, height):
                    guard height == state.height, height > 0 else {
                        throw corrupt("undo of height \(height) on an index at height \(state.height)")
                    }
                    try undo(block, state: &state)
                    deleteBlock.bind(1, Int64(height))
                    try deleteBlock.run()
                    state.tip = block.header.previous
                    state.height = height - 1
                }
            }
            state.sequence = sequence
            try record(state)
            setMeta.bind(1, text: "nextKeyID")
            setMeta.bind(2, nextKeyID)
            try setMeta.run()
            return state
        }
    }

    /// Copies the write-ahead log into the database and truncates it.
    func checkpointLog() throws(StoreError) {
        try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// Empties every table but `meta`, which then records `state`.
    func reset(to state: KeyIndexState) throws(StoreError) {
        try connection.writeTransaction { () throws(StoreError) in
            try connection.execute("DELETE FROM keys; DELETE FROM versions; DELETE FROM txids; DELETE FROM chain;")
            try record(state)
        }
    }

    /// The id the next new key takes: ids are never reused, so a key's versions are never
    /// mistaken for those of a key undone before it.
    private func storedNextKeyID() throws(StoreError) -> Int64 {
        defer { nextKeyIDStatement.reset() }
        return try nextKeyIDStatement.step() ? max(nextKeyIDStatement.int64(0), 1) : 1
    }

    private func apply(_ block: Block, height: UInt32, state: inout KeyIndexState, nextKeyID: inout Int64) throws(StoreError) {
        for transaction in block.transactions {
            keepLatest.bind(1, utf8: transaction.key)
            try keepLatest.run()
            let proposed = nextKeyID
            addVersion.bind(1, utf8: transaction.key)
            addVersion.bind(2, proposed)
            addVersion.bind(3, transaction.author.raw)
            addVersion.bind(4, Int64(height))
            addVersion.bind(5, transaction.id.raw)
            addVersion.bind(6, transaction.value)
            // The author is stored only when it is not the owner (a transfer; none yet).
            guard try addVersion.step(), addVersion.bytes32(2) != nil else {
                addVersion.reset()
                throw corrupt("a key's row did not come back")
            }
            let number = addVersion.int64(1) - 1
            addVersion.reset()
            if number == 0 {
                state.keys += 1
                nextKeyID += 1
            }
            insertTxid.bind(1, transaction.id.raw)
            insertTxid.bind(2, Int64(height))
            try insertTxid.run()
            state.puts += 1
        }
    }

    private func undo(_ block: Block, state: inout KeyIndexState) throws(StoreError) {
        for transaction in block.transactions.reversed() {
            let key = transaction.key
            // The key's latest version names its number and txid: one lookup for the check and the undo.
            guard let latest = try reader.latest(key) else { throw corrupt("undo of a put on a key the index does not hold") }
            guard latest.version.txid == transaction.id else {
                throw corrupt("undo of a put that is not its key's latest version")
            }
            if latest.number == 0 {
                deleteKey.bind(1, utf8: key)
                try deleteKey.run()
                state.keys -= 1
            } else {
                let previous = Int64(latest.number - 1)
                restoreLatest.bind(1, utf8: key)
                restoreLatest.bind(2, previous)
                try restoreLatest.run()
                deleteVersion.bind(1, utf8: key)
                deleteVersion.bind(2, previous)
                try deleteVersion.run()
            }
            deleteTxid.bind(1, transaction.id.raw)
            try deleteTxid.run()
            state.puts -= 1
        }
    }

    private func record(_ state: KeyIndexState) throws(StoreError) {
        let entries: [(String, Int64?)] = [("height", Int64(state.height)), ("sequence", Int64(bitPattern: state.sequence)),
                                           ("keys", Int64(state.keys)), ("puts", Int64(state.puts)), ("tip", nil)]
        for (name, number) in entries {
            setMeta.bind(1, text: name)
            if let number { setMeta.bind(2, number) } else { setMeta.bind(2, state.tip.raw) }
            try setMeta.run()
        }
    }

    private func corrupt(_ reason: String) -> StoreError {
        .database(path: connection.path, code: 11, message: reason)
    }
}
