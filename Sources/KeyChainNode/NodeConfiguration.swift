import Foundation
import KeyChainMining

/// Everything a node is started with.
public struct NodeConfiguration: Sendable {
    /// The data directory (blocks, key index, wallet, network parameters).
    public var dataDirectory: String
    /// The client API's Unix socket.
    public var socketPath: String
    /// Whether to mine.
    public var mine: Bool
    /// Mining threads.
    public var miningThreads: Int
    /// Total hashes a second, or nil for no limit.
    public var hashRateLimit: Double?
    /// A standalone single-node network that seals blocks only when puts wait.
    public var dev: Bool
    /// Difficulty for a new standalone network; must match an existing one.
    public var difficultyBits: Int?
    /// Network name for a new standalone network.
    public var networkName: String
    /// Segment size before rotation (small in tests).
    public var segmentSize: UInt64
    /// The longest request line accepted on the socket.
    public var maxRequestBytes: Int

    /// When the miner works: on demand in `--dev`, continuously on a network.
    public var miningPolicy: any MiningPolicy { dev ? OnDemandSealing() : ContinuousMining() }

    /// The default difficulty of a `--dev` network: a block in a few milliseconds.
    public static let devDifficultyBits = 12
    /// The default difficulty of a new network: about a block a second on two cores here.
    public static let defaultDifficultyBits = 24

    /// A configuration with the documented defaults.
    public init(
        dataDirectory: String = "data/node", socketPath: String? = nil, mine: Bool? = nil,
        miningThreads: Int = ProcessInfo.processInfo.activeProcessorCount, hashRateLimit: Double? = nil,
        dev: Bool = false, difficultyBits: Int? = nil, networkName: String? = nil,
        segmentSize: UInt64 = 128 << 20, maxRequestBytes: Int = 8 << 20
    ) {
        self.dataDirectory = dataDirectory
        self.socketPath = socketPath ?? (dataDirectory as NSString).appendingPathComponent("keychain.sock")
        self.mine = mine ?? dev
        self.miningThreads = max(miningThreads, 1)
        self.hashRateLimit = hashRateLimit
        self.dev = dev
        self.difficultyBits = difficultyBits
        self.networkName = networkName ?? (dev ? "keychain-dev" : "keychain")
        self.segmentSize = segmentSize
        self.maxRequestBytes = maxRequestBytes
    }
}
