#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the store could not do what was asked. Each case names the file involved.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed.
    case io(path: String, operation: String, errno: Int32)
    /// A record failed its checks (magic, lengths, CRC-32C or zlib); its bytes are never returned.
    case corruptRecord(path: String, offset: UInt64, reason: String)
    /// No block is stored under this hash.
    case notFound(String)
    /// A block is larger than a record can hold.
    case tooLarge(size: Int, maximum: Int)
    /// SQLite refused an operation on the key index's database: its result code and message.
    case database(path: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .io(path, operation, code):
            "\(operation) failed on \(path): \(String(cString: strerror(code))) (errno \(code))"
        case let .corruptRecord(path, offset, reason):
            "corrupt record in \(path) at offset \(offset): \(reason)"
        case let .notFound(what):
            "no stored block \(what)"
        case let .tooLarge(size, maximum):
            "block of \(size) bytes exceeds the record limit of \(maximum)"
        case let .database(path, code, message):
            "database \(path): \(message) (SQLite code \(code))"
        }
    }
}
