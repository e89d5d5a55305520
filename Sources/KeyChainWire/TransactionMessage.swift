import KeyChainCore

/// A transaction body, in the encoding of docs/PROTOCOL.md §2.
public struct TransactionMessage: WireMessage {
    public static let command = "tx"
    public static let maxPayloadLength = Transaction.maxValueLengthCap + 512
    /// The transaction.
    public var transaction: Transaction
    public init(_ transaction: Transaction) { self.transaction = transaction }
    public func encode(to writer: inout ByteWriter) { transaction.encode(to: &writer) }
    public init(from reader: inout ByteReader) throws(DecodingError) { transaction = try Transaction(from: &reader) }
}
