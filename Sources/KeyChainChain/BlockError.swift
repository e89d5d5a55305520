import KeyChainCore

/// Why a header or block was refused.
public enum BlockError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The parent is not known; fetch headers first.
    case unknownParent(Hash256)
    /// The parent, or an ancestor, broke a rule.
    case invalidParent(Hash256)
    /// This block was already found invalid.
    case knownInvalid(Hash256)
    /// A header version this node does not know.
    case badVersion(UInt32)
    /// The header's target is not the network's.
    case wrongTarget(expected: UInt32, actual: UInt32)
    /// The hash does not meet the target.
    case insufficientProofOfWork
    /// The timestamp is not after the median of the previous 11 blocks.
    case timestampNotAfterMedian(timestamp: UInt64, median: UInt64)
    /// The timestamp is too far ahead of this node's clock (may become valid later).
    case timestampTooFarAhead(timestamp: UInt64, limit: UInt64)
    /// The transactions do not hash to the header's merkle root.
    case badMerkleRoot
    /// The encoded block is larger than the network allows.
    case tooLarge(size: Int, maximum: Int)
    /// The same txid appears twice in the block.
    case duplicateTransaction(Hash256)
    /// A transaction in the block breaks a rule.
    case badTransaction(Hash256, TransactionError)
    /// The block could not be stored or read back.
    case storage(String)

    /// Whether the block itself is proven invalid, so that it and its descendants can be marked
    /// and never fetched again. Not for faults the header does not commit to (a body that does
    /// not match its merkle root, a bad signature: an honest twin may exist), nor for one that
    /// time can cure (a timestamp ahead of our clock), nor for our own storage faults.
    public var provesBlockInvalid: Bool {
        switch self {
        case .badMerkleRoot, .timestampTooFarAhead, .storage, .unknownParent: false
        case .badTransaction(_, .badSignature): false
        default: true
        }
    }

    /// Whether the peer that sent the block misbehaved: every fault that proves the block
    /// invalid, and also a body that does not match its header or carries a bad signature (an
    /// honest node checks both before it relays). Not a timestamp ahead of our clock, a missing
    /// parent, or our own storage fault.
    public var provesSenderMisbehaved: Bool {
        switch self {
        case .badMerkleRoot, .badTransaction(_, .badSignature): true
        default: provesBlockInvalid
        }
    }

    public var description: String {
        switch self {
        case let .unknownParent(hash): "parent block \(hash.hex) is not known"
        case let .invalidParent(hash): "block descends from invalid block \(hash.hex)"
        case let .knownInvalid(hash): "block \(hash.hex) is known to be invalid"
        case let .badVersion(version): "header version \(version) is not known"
        case let .wrongTarget(expected, actual):
            "target \(String(actual, radix: 16)) is not this network's \(String(expected, radix: 16))"
        case .insufficientProofOfWork: "block hash does not meet the target"
        case let .timestampNotAfterMedian(timestamp, median):
            "timestamp \(timestamp) is not after the median \(median) of the previous blocks"
        case let .timestampTooFarAhead(timestamp, limit): "timestamp \(timestamp) is beyond \(limit), too far ahead"
        case .badMerkleRoot: "transactions do not match the header's merkle root"
        case let .tooLarge(size, maximum): "block is \(size) bytes; the limit is \(maximum)"
        case let .duplicateTransaction(txid): "transaction \(txid.hex) appears twice in the block"
        case let .badTransaction(txid, reason): "transaction \(txid.hex): \(reason)"
        case let .storage(reason): "storage: \(reason)"
        }
    }
}
