import KeyChainCore

/// Why a chain could not be opened.
public enum ChainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data directory belongs to another network.
    case genesisMismatch(expected: Hash256, found: Hash256)
    /// The store failed.
    case storage(String)

    public var description: String {
        switch self {
        case let .genesisMismatch(expected, found):
            "the data directory holds network \(found.hex), not \(expected.hex); use another --data-dir or the matching network parameters"
        case let .storage(reason): "storage: \(reason)"
        }
    }
}
