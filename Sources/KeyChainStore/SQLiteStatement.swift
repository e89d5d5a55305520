import CSQLite
import KeyChainCore

/// A compiled SQLite statement: bind parameters (numbered from 1), step through its rows,
/// read columns (numbered from 0), then reset for the next use.
final class SQLiteStatement {
    private let statement: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(_ statement: OpaquePointer, connection: SQLiteConnection) {
        self.statement = statement
        self.connection = connection
    }

    deinit { sqlite3_finalize(statement) }

    /// SQLite copies what it is given (SQLITE_TRANSIENT): the bytes need not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    // Not generic on purpose: a generic over `Collection` called from another module runs
    // unspecialised, through the runtime's metadata lookups, on every read.

    /// Binds a blob (an empty one for no bytes, not NULL).
    func bind(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { bindBlob(index, $0) }
    }

    /// Binds a string's UTF-8 bytes as a blob.
    func bind(_ index: Int32, utf8 string: String) {
        var string = string
        string.withUTF8 { bindBlob(index, UnsafeRawBufferPointer($0)) }
    }

    /// Binds 32 bytes as a blob.
    func bind(_ index: Int32, _ value: Bytes32) {
        withUnsafeBytes(of: (value.w0.bigEndian, value.w1.bigEndian, value.w2.bigEndian, value.w3.bigEndian)) { bindBlob(index, $0) }
    }

    private func bindBlob(_ index: Int32, _ buffer: UnsafeRawBufferPointer) {
        if let base = buffer.baseAddress, buffer.count > 0 {
            sqlite3_bind_blob(statement, index, base, Int32(buffer.count), Self.transient)
        } else {
            sqlite3_bind_zeroblob(statement, index, 0)
        }
    }

    /// Binds text.
    func bind(_ index: Int32, text: String) { sqlite3_bind_text(statement, index, text, -1, Self.transient) }

    /// Binds an integer.
    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(statement, index, value) }

    /// Advances to the next row: true if there is one, false when the statement is done.
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(statement)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(code, String(cString: sqlite3_sql(statement)))
        }
    }

    /// Runs a statement that returns no rows, then resets it.
    func run() throws(StoreError) {
        defer { reset() }
        _ = try step()
    }

    /// Clears the bindings and rewinds, ready for the next use.
    func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    /// An integer column of the current row.
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    /// Whether a column of the current row is NULL.
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    /// A 32-byte blob column of the current row, or nil if it is not 32 bytes (or NULL).
    func bytes32(_ column: Int32) -> Bytes32? {
        guard sqlite3_column_bytes(statement, column) == 32, let base = sqlite3_column_blob(statement, column) else { return nil }
        return Bytes32(unsafe: base)
    }

    /// A blob column of the current row (empty for a zero-length blob or NULL).
    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let base = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }
}
