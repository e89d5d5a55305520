import KeyChainCore

/// Headers in chain order: the answer to `getheaders` (at most 2,000) and the announcement of
/// a new tip (at most 8). `count u16 | 88-byte headers`.
public struct HeadersMessage: WireMessage {
    public static let command = "headers"
    /// The most headers one message carries.
    public static let maxHeaders = 2_000
    /// The most headers a tip announcement carries.
    public static let maxAnnounced = 8
    public static let maxPayloadLength = 2 + BlockHeader.size * maxHeaders

    /// The headers, each the parent of the next.
    public var headers: [BlockHeader]

    public init(headers: [BlockHeader]) { self.headers = headers }

    public func encode(to writer: inout ByteWriter) {
        writer.writeCount(headers.count)
        for header in headers { header.encode(to: &writer) }
    }

    public init(from reader: inout ByteReader) throws(DecodingError) {
        let count = try reader.readCount("header count", maximum: Self.maxHeaders, itemSize: BlockHeader.size)
        var headers: [BlockHeader] = []
        headers.reserveCapacity(count)
        for _ in 0..<count { headers.append(try BlockHeader(from: &reader)) }
        self.headers = headers
    }
}
