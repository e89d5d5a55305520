/// Where a block's record lies: segment number, byte offset and record length.
public struct BlockLocation: Hashable, Sendable, Comparable {
    /// The segment file's number (`blocks/NNNNNNNNN.seg`).
    public var segment: UInt32
    /// Offset of the record's first byte.
    public var offset: UInt64
    /// The whole record's length, header and checksum included.
    public var length: UInt32

    /// Builds a location.
    public init(segment: UInt32, offset: UInt64, length: UInt32) {
        self.segment = segment
        self.offset = offset
        self.length = length
    }

    /// Where the next record after this one starts.
    public var end: UInt64 { offset + UInt64(length) }

    public static func < (lhs: BlockLocation, rhs: BlockLocation) -> Bool {
        (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
    }
}
