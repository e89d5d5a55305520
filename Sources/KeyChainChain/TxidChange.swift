import KeyChainCore

/// A confirmed txid as far as the key index on disk does not hold it yet: where the put was
/// confirmed, or nil once its block left the best chain.
struct TxidChange: Sendable {
    /// The height and block that hold the put, or nil if it is no longer confirmed.
    var confirmation: (height: UInt32, block: Hash256)?
    /// The chain update that made the change.
    var sequence: UInt64
}
