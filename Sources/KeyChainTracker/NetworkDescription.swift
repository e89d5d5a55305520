import KeyChainCore

/// A network's genesis parameters as `GET /network` serves them and `network.json` stores them:
/// each field readable, and `parameters`, the exact encoding that is hashed into the genesis
/// block, so that a node builds the very same genesis (and checks it against `genesis`).
public struct NetworkDescription: Codable, Equatable, Sendable {
    /// The fields of `NetworkParameters` (KeyChainCore), for people and tools to read.
    public var name: String
    public var difficultyBits: Int
    public var blockIntervalMilliseconds: UInt32
    public var maxBlockSize: Int
    public var maxValueLength: Int
    /// Milliseconds since the Unix epoch.
    public var createdAt: UInt64
    /// The ASERT half-life in block intervals; absent on a fixed-difficulty network.
    public var halfLifeIntervals: UInt32?
    /// The genesis block's hash, which names the network (hex).
    public var genesis: String
    /// `NetworkParameters`' encoding (hex), as PROTOCOL.md §3 gives it.
    public var parameters: String

    /// The description of `network`.
    public init(_ network: NetworkParameters) {
        name = network.name
        difficultyBits = network.difficultyBits
        blockIntervalMilliseconds = network.blockIntervalMilliseconds
        maxBlockSize = network.maxBlockSize
        maxValueLength = network.maxValueLength
        createdAt = network.createdAt
        if case let .asert(halfLife) = network.retargeting { halfLifeIntervals = halfLife }
        genesis = network.genesisHash.hex
        parameters = Hex.encode(network.encoded)
    }

    /// The parameters it describes, checked: they decode, and hash to `genesis`.
    public func network() throws(NetworkDescriptionError) -> NetworkParameters {
        guard let bytes = Hex.decode(parameters), let network = try? NetworkParameters(decoding: bytes) else {
            throw .undecodable
        }
        guard network.genesisHash.hex == genesis.lowercased() else {
            throw .genesisMismatch(described: genesis, computed: network.genesisHash.hex)
        }
        return network
    }
}

/// Why a network description cannot be used.
public enum NetworkDescriptionError: Error, Equatable, Sendable, CustomStringConvertible {
    case undecodable
    case genesisMismatch(described: String, computed: String)

    public var description: String {
        switch self {
        case .undecodable: "the network description's \"parameters\" are not a network parameters encoding"
        case let .genesisMismatch(described, computed):
            "the network description names genesis \(described), but its parameters hash to \(computed)"
        }
    }
}
