import KeyChainCore

/// The answer to a `ping`: the same nonce.
public struct PongMessage: WireMessage {
    public static let command = "pong"
    public static let maxPayloadLength = 8
    /// The `ping`'s nonce.
    public var nonce: UInt64
    public init(nonce: UInt64) { self.nonce = nonce }
    public func encode(to writer: inout ByteWriter) { writer.write(nonce) }
    public init(from reader: inout ByteReader) throws(DecodingError) { nonce = try reader.readUInt64("nonce") }
}
