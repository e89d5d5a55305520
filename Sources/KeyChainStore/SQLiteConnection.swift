import CSQLite

/// One connection to an SQLite database: the thin layer the key index's store is written in
/// (docs/ARCHITECTURE.md §6). Opened without SQLite's own mutex, so a connection is used by
/// one thread at a time; its owner (`KeyIndexDatabase`) gives each thread its own.
final class SQLiteConnection {
    /// The database file.
    let path: String
    private let handle: OpaquePointer

    /// Opens (and with `create`, creates) the database at `path`.
    init(path: String, readOnly: Bool = false, create: Bool = false) throws(StoreError) {
        self.path = path
        var flags = SQLITE_OPEN_NOMUTEX | (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE)
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(opened)
            throw .database(path: path, code: code, message: message)
        }
        handle = opened
        // Another connection's write transaction holds the lock only for a block's commit.
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that return no rows (schema, pragmas, transactions).
    func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw .database(path: path, code: code, message: "\(text) (in \(sql.prefix(80)))")
        }
    }

    /// A compiled statement, kept and reused by the caller.
    func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error(code, sql) }
        return SQLiteStatement(statement, connection: self)
    }

    /// Runs `body` in one write transaction, committed if it returns and rolled back if it throws.
    func writeTransaction<Result>(_ body: () throws(StoreError) -> Result) throws(StoreError) -> Result {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Starts a read transaction (its snapshot is taken at the first read in it).
    func beginRead() throws(StoreError) {
        if begin == nil { begin = try prepare("BEGIN DEFERRED") }
        try begin?.run()
    }

    /// Ends the read transaction `beginRead` started.
    func endRead() {
        if commit == nil { commit = try? prepare("COMMIT") }
        try? commit?.run()
    }

    // Prepared once: a read's transaction costs two steps, not two parses.
    private var begin: SQLiteStatement?
    private var commit: SQLiteStatement?

    /// The error for `code`, with SQLite's message for this connection.
    func error(_ code: Int32, _ context: String) -> StoreError {
        .database(path: path, code: code, message: "\(String(cString: sqlite3_errmsg(handle))) (in \(context.prefix(80)))")
    }
}
