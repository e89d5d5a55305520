import KeyChainCore

/// Announces transactions (batched about every 100 ms) by txid; peers fetch what they lack.
public struct InvMessage: WireMessage {
    public static let command = "inv"
    public static let maxPayloadLength = InventoryList.maxPayloadLength
    /// What the sender has.
    public var inventory: InventoryList
    public init(_ items: [InventoryItem]) { inventory = InventoryList(items) }
    public func encode(to writer: inout ByteWriter) { inventory.encode(to: &writer) }
    public init(from reader: inout ByteReader) throws(DecodingError) { inventory = try InventoryList(from: &reader) }
}
