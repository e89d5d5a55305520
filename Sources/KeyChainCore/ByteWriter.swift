/// Appends the canonical encoding's fields: little-endian integers and raw bytes.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends one byte.
    public mutating func write(_ value: UInt8) { bytes.append(value) }

    /// Appends a 16-bit little-endian integer.
    public mutating func write(_ value: UInt16) { writeLittleEndian(value) }

    /// Appends a 32-bit little-endian integer.
    public mutating func write(_ value: UInt32) { writeLittleEndian(value) }

    /// Appends a 64-bit little-endian integer.
    public mutating func write(_ value: UInt64) { writeLittleEndian(value) }

    /// Appends raw bytes, with no length prefix.
    public mutating func write(bytes other: some Sequence<UInt8>) { bytes.append(contentsOf: other) }

    /// Appends 32 raw bytes.
    public mutating func write(_ value: Bytes32) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 32))
        bytes.withUnsafeMutableBytes { value.write(to: $0.baseAddress! + start) }
    }

    /// Appends a hash's 32 bytes.
    public mutating func write(_ value: Hash256) { write(value.raw) }

    private mutating func writeLittleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
