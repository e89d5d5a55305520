import KeyChainCore

/// Asks a peer for addresses; empty.
public struct GetAddrMessage: WireMessage {
    public static let command = "getaddr"
    public static let maxPayloadLength = 0
    public init() {}
    public func encode(to writer: inout ByteWriter) {}
    public init(from reader: inout ByteReader) throws(DecodingError) {}
}
