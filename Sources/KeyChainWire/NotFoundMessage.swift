import KeyChainCore

/// The items of a `getdata` the peer does not have.
public struct NotFoundMessage: WireMessage {
    public static let command = "notfound"
    public static let maxPayloadLength = InventoryList.maxPayloadLength
    /// The items the sender does not have.
    public var inventory: InventoryList
    public init(_ items: [InventoryItem]) { inventory = InventoryList(items) }
    public func encode(to writer: inout ByteWriter) { inventory.encode(to: &writer) }
    public init(from reader: inout ByteReader) throws(DecodingError) { inventory = try InventoryList(from: &reader) }
}
