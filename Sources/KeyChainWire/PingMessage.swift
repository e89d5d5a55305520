import KeyChainCore

/// A liveness check: `nonce u64`, echoed by `pong`.
public struct PingMessage: WireMessage {
    public static let command = "ping"
    public static let maxPayloadLength = 8
    /// A random number the `pong` must echo.
    public var nonce: UInt64
    public init(nonce: UInt64) { self.nonce = nonce }
    public func encode(to writer: inout ByteWriter) { writer.write(nonce) }
    public init(from reader: inout ByteReader) throws(DecodingError) { nonce = try reader.readUInt64("nonce") }
}
