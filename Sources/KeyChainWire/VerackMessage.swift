import KeyChainCore

/// Acknowledges a `version`; empty.
public struct VerackMessage: WireMessage {
    public static let command = "verack"
    public static let maxPayloadLength = 0
    public init() {}
    public func encode(to writer: inout ByteWriter) {}
    public init(from reader: inout ByteReader) throws(DecodingError) {}
}
