/// Why bytes could not be decoded. Every decoder throws this, never traps.
public enum DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before `field` was complete.
    case truncated(field: String, needed: Int, available: Int)
    /// A length prefix for `field` exceeds its maximum.
    case oversized(field: String, length: Int, maximum: Int)
    /// Bytes were left over after a complete value.
    case trailingBytes(count: Int)
    /// A field holds a value the format does not allow.
    case invalidValue(field: String, reason: String)

    public var description: String {
        switch self {
        case let .truncated(field, needed, available):
            "truncated input: \(field) needs \(needed) bytes, \(available) left"
        case let .oversized(field, length, maximum):
            "\(field) is \(length) bytes, more than the maximum of \(maximum)"
        case let .trailingBytes(count):
            "\(count) unexpected bytes after the end of the value"
        case let .invalidValue(field, reason):
            "invalid \(field): \(reason)"
        }
    }
}
