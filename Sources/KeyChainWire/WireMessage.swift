import KeyChainCore

/// A peer-to-peer message: a command name, a payload limit, and its encoding.
public protocol WireMessage: Sendable, Equatable {
    /// The command in the frame header (at most 12 ASCII bytes).
    static var command: String { get }
    /// The largest payload this message may have.
    static var maxPayloadLength: Int { get }
    /// Appends the payload.
    func encode(to writer: inout ByteWriter)
    /// Decodes the payload, checking every count against what is left and its maximum.
    init(from reader: inout ByteReader) throws(DecodingError)
}

extension WireMessage {
    /// The payload bytes.
    public var payload: [UInt8] {
        var writer = ByteWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// Decodes exactly one payload.
    public init(payload: [UInt8]) throws(DecodingError) {
        var reader = ByteReader(payload)
        try self.init(from: &reader)
        try reader.expectEnd()
    }
}

extension ByteReader {
    /// Reads a u16 count and checks it against `maximum` and against the bytes left, given
    /// each item is at least `itemSize` bytes.
    mutating func readCount(_ field: String, maximum: Int, itemSize: Int) throws(DecodingError) -> Int {
        let count = Int(try readUInt16(field))
        if count > maximum { throw .oversized(field: field, length: count, maximum: maximum) }
        if count * itemSize > remaining { throw .truncated(field: field, needed: count * itemSize, available: remaining) }
        return count
    }
}

extension ByteWriter {
    /// Appends a u16 count.
    mutating func writeCount(_ count: Int) { write(UInt16(truncatingIfNeeded: count)) }
}
