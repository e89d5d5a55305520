import KeyChainCore

/// Asks for the bodies of blocks and transactions by hash.
public struct GetDataMessage: WireMessage {
    public static let command = "getdata"
    public static let maxPayloadLength = InventoryList.maxPayloadLength
    /// The blocks and transactions wanted.
    public var inventory: InventoryList
    public init(_ items: [InventoryItem]) { inventory = InventoryList(items) }
    public func encode(to writer: inout ByteWriter) { inventory.encode(to: &writer) }
    public init(from reader: inout ByteReader) throws(DecodingError) { inventory = try InventoryList(from: &reader) }
}
