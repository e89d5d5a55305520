import KeyChainCore

/// A thing a peer has or wants: `type u8 (1 transaction, 2 block, 4 compact block) | hash 32`.
public struct InventoryItem: Hashable, Sendable {
    /// What the hash names.
    public enum Kind: UInt8, Sendable {
        case transaction = 1
        case block = 2
        /// A block wanted as `cmpctblock` (BIP152's MSG_CMPCT_BLOCK): in `getdata`, and in
        /// the `notfound` answering one.
        case compactBlock = 4
    }

    public static let encodedSize = 33
    /// Whether `hash` is a txid or a block hash.
    public var kind: Kind
    /// The txid or block hash.
    public var hash: Hash256

    public init(_ kind: Kind, _ hash: Hash256) {
        self.kind = kind
        self.hash = hash
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(kind.rawValue)
        writer.write(hash)
    }

    init(from reader: inout ByteReader) throws(DecodingError) {
        let raw = try reader.readUInt8("inventory type")
        guard let kind = Kind(rawValue: raw) else {
            throw .invalidValue(field: "inventory type", reason: "\(raw) is not 1 (transaction), 2 (block) or 4 (compact block)")
        }
        self.kind = kind
        hash = try reader.readHash("inventory hash")
    }
}

/// A list of inventory items: `count u16 (<= 50,000) | items`.
public struct InventoryList: Hashable, Sendable {
    public static let maxItems = 50_000
    public static let maxPayloadLength = 2 + InventoryItem.encodedSize * maxItems
    /// The items, at most 50,000.
    public var items: [InventoryItem]

    public init(_ items: [InventoryItem]) { self.items = items }

    func encode(to writer: inout ByteWriter) {
        writer.writeCount(items.count)
        for item in items { item.encode(to: &writer) }
    }

    init(from reader: inout ByteReader) throws(DecodingError) {
        let count = try reader.readCount("inventory count", maximum: Self.maxItems, itemSize: InventoryItem.encodedSize)
        var items: [InventoryItem] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try InventoryItem(from: &reader)) }
        self.items = items
    }
}
