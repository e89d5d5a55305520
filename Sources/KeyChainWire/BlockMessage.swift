import KeyChainCore

/// A block body, in the encoding of docs/PROTOCOL.md §4.
public struct BlockMessage: WireMessage {
    public static let command = "block"
    public static let maxPayloadLength = Block.maxEncodedSize
    /// The block.
    public var block: Block
    public init(_ block: Block) { self.block = block }
    public func encode(to writer: inout ByteWriter) { writer.write(bytes: block.encoded) }
    public init(from reader: inout ByteReader) throws(DecodingError) {
        block = try Block(decoding: try reader.readBytes(reader.remaining, maximum: Self.maxPayloadLength, "block"))
    }
}
