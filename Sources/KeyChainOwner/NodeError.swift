import KeyChainCore

/// Why a node could not start. Each message says what to change.
public enum NodeError: Error, CustomStringConvertible, Sendable {
    case dataDirectoryNotWritable(path: String, reason: String)
    case dataDirectoryInUse(path: String)
    case socketInUse(path: String)
    case socketUnusable(path: String, reason: String)
    case networkMismatch(path: String, reason: String)
    case noNetwork(path: String)
    case genesis(String)
    case listen(address: String, reason: String)
    case wallet(String)
    case chain(String)
    /// This build's signature verifier disagrees with the pinned vectors (`SignatureRule`).
    case signatureRule(SignatureRuleError)

    public var description: String {
        switch self {
        case let .dataDirectoryNotWritable(path, reason):
            "data directory \(path) is not writable (\(reason)); choose another with --data-dir"
        case let .dataDirectoryInUse(path):
            "data directory \(path) is in use by another running node; stop it or choose another --data-dir"
        case let .socketInUse(path):
            "socket \(path) is served by a live node; stop it or pass another --socket"
        case let .socketUnusable(path, reason):
            "cannot listen on socket \(path): \(reason)"
        case let .networkMismatch(path, reason):
            "data directory \(path) belongs to another network: \(reason)"
        case let .noNetwork(path):
            "data directory \(path) follows no network yet: give --tracker HOST:PORT or --peer HOST:PORT to take the network "
                + "from a tracker or a peer, or --genesis FILE (a tracker's GET /network answer, or another node's network.params)"
        case let .genesis(reason): "cannot learn the network's genesis parameters: \(reason)"
        case let .listen(address, reason): "cannot listen for peers on \(address): \(reason)"
        case let .wallet(reason): "wallet: \(reason)"
        case let .chain(reason): "chain: \(reason)"
        case let .signatureRule(error): "refusing to start: \(error)"
        }
    }
}
