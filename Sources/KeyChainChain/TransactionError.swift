import KeyChainCore

/// Why a put was refused, by the mempool or inside a block. Each case carries what a person
/// needs to act: which key, whose it is, which version was expected.
public enum TransactionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The value is longer than this network allows.
    case valueTooLarge(size: Int, maximum: Int)
    /// The signature is not the author's signature of the txid.
    case badSignature
    /// The key belongs to another author.
    case notOwner(key: String, owner: PublicKey)
    /// Compare-and-set failed: the key has `actual` versions, the put expected `expected`.
    case conflict(key: String, expected: UInt64, actual: UInt64)
    /// This txid is already on the best chain (a replay).
    case alreadyConfirmed(Hash256)
    /// This txid is already waiting in the mempool.
    case duplicate(Hash256)
    /// The mempool is at its limit.
    case mempoolFull(limit: Int)
    /// The key index on disk could not be read to check the put (the node logs the cause).
    case indexUnreadable(String)

    public var description: String {
        switch self {
        case let .valueTooLarge(size, maximum): "value is \(size) bytes; this network allows at most \(maximum)"
        case .badSignature: "signature does not match the author's key and the transaction"
        case let .notOwner(key, owner): "key '\(key)' is owned by \(owner.hex); only its owner can write it"
        case let .conflict(key, expected, actual):
            "conflict on '\(key)': expected \(expected) versions, the key has \(actual)"
        case let .alreadyConfirmed(txid): "transaction \(txid.hex) is already confirmed (replay)"
        case let .duplicate(txid): "transaction \(txid.hex) is already pending"
        case let .mempoolFull(limit): "the mempool is full (\(limit) transactions); retry later"
        case let .indexUnreadable(reason): "the key index could not be read to check the put: \(reason)"
        }
    }
}
