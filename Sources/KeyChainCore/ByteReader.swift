/// Reads the canonical encoding's fields from a byte array, checking every length against what is
/// left and against the field's maximum before it allocates anything.
public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    /// Index of the next byte to read.
    public private(set) var offset: Int
    private let end: Int

    /// Reads `bytes[range]`, or all of `bytes`.
    public init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        self.offset = range.lowerBound
        self.end = range.upperBound
    }

    /// How many bytes are left.
    public var remaining: Int { end - offset }

    /// Throws unless every byte has been read.
    public func expectEnd() throws(DecodingError) {
        if remaining != 0 { throw .trailingBytes(count: remaining) }
    }

    /// Reads one byte.
    public mutating func readUInt8(_ field: String) throws(DecodingError) -> UInt8 {
        try need(1, field)
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads a 16-bit little-endian integer.
    public mutating func readUInt16(_ field: String) throws(DecodingError) -> UInt16 {
        try readLittleEndian(field)
    }

    /// Reads a 32-bit little-endian integer.
    public mutating func readUInt32(_ field: String) throws(DecodingError) -> UInt32 {
        try readLittleEndian(field)
    }

    /// Reads a 64-bit little-endian integer.
    public mutating func readUInt64(_ field: String) throws(DecodingError) -> UInt64 {
        try readLittleEndian(field)
    }

    /// Reads 32 raw bytes.
    public mutating func readBytes32(_ field: String) throws(DecodingError) -> Bytes32 {
        try need(32, field)
        defer { offset += 32 }
        return bytes.withUnsafeBytes { Bytes32(unsafe: $0.baseAddress! + offset) }
    }

    /// Reads a hash's 32 bytes.
    public mutating func readHash(_ field: String) throws(DecodingError) -> Hash256 {
        Hash256(raw: try readBytes32(field))
    }

    /// Reads `count` raw bytes after checking `count <= maximum`.
    public mutating func readBytes(_ count: Int, maximum: Int, _ field: String) throws(DecodingError) -> [UInt8] {
        if count > maximum { throw .oversized(field: field, length: count, maximum: maximum) }
        try need(count, field)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Skips `count` bytes.
    public mutating func skip(_ count: Int, _ field: String) throws(DecodingError) {
        try need(count, field)
        offset += count
    }

    private func need(_ count: Int, _ field: String) throws(DecodingError) {
        if count > remaining { throw .truncated(field: field, needed: count, available: remaining) }
    }

    private mutating func readLittleEndian<T: FixedWidthInteger>(_ field: String) throws(DecodingError) -> T {
        let size = MemoryLayout<T>.size
        try need(size, field)
        defer { offset += size }
        return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
}
