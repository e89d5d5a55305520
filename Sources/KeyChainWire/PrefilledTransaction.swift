import KeyChainCore

/// A put a compact block carries whole, at its position in the block: those the receiver is
/// unlikely to hold (its sender received them moments ago), so that it needs no round trip.
public struct PrefilledTransaction: Hashable, Sendable {
    /// The put's position in the block.
    public var index: Int
    /// The put.
    public var transaction: Transaction

    public init(index: Int, transaction: Transaction) {
        self.index = index
        self.transaction = transaction
    }
}
