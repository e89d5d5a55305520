import KeyChainChain
import KeyChainCore

/// Why the node could not do what a request asked. Typed, and free of JSON-RPC: the RPC
/// dispatcher alone turns these into error codes (`NodeRequestError+RPC`).
public enum NodeRequestError: Error, Sendable, CustomStringConvertible {
    /// The key is empty, longer than 255 UTF-8 bytes, or otherwise not a key.
    case invalidKey(String)
    /// A value or another parameter cannot be read (bad base64, bad hex).
    case invalidParameter(String)
    /// The transaction's bytes are not a canonical encoding (docs/PROTOCOL.md §2).
    case malformedTransaction(String)
    /// The put was refused at admission.
    case refused(TransactionError)
    /// A waited-for put ended without confirming: refused or evicted.
    case failed(txid: Hash256, outcome: TransactionOutcome)
    /// The key has no versions.
    case keyNotFound(String)
    /// This node has never seen the txid (or has forgotten a failure that long ago).
    case transactionNotFound(Hash256)
    /// No stored block answers the selector (a height or a hash).
    case blockNotFound(String)
    /// The depth was not reached before the timeout.
    case timedOut(txids: [Hash256], depth: UInt32)
    /// The node is stopping.
    case shuttingDown
    /// The store failed.
    case storage(String)
    /// The node could not store a block (a full disk, an I/O error) and takes no new puts
    /// until it can again; it serves reads meanwhile.
    case cannotStore(String)
    /// The node holds as many waits or subscriptions as it will: retry later.
    case overLimit(String)

    public var description: String {
        switch self {
        case let .invalidKey(reason): "invalid key: \(reason)"
        case let .invalidParameter(reason): reason
        case let .malformedTransaction(reason): "not a canonically encoded transaction (docs/PROTOCOL.md §2): \(reason)"
        case let .refused(error): error.description
        case let .failed(_, outcome): outcome.reason
        case let .keyNotFound(key): "key '\(key)' has no versions"
        case let .transactionNotFound(txid): "transaction \(txid.hex) is not known to this node"
        case let .blockNotFound(selector): "no stored block \(selector)"
        case let .timedOut(txids, depth):
            "timed out waiting for \(txids.map(\.hex).joined(separator: ", ")) to reach depth \(depth)"
        case .shuttingDown: "the node is shutting down"
        case let .storage(reason): "storage failed: \(reason)"
        case let .cannotStore(reason):
            "the node cannot store blocks (\(reason)); it takes no new puts until its disk has room again and serves reads meanwhile"
        case let .overLimit(reason): reason
        }
    }
}
