import Foundation
import KeyChainCore
import KeyChainChain
import KeyChainP2P

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
    /// Client connections served at once; more are told so and closed.
    public var maxClients: Int
    /// Inbound peer connections taken from one host.
    public var maxInboundPerHost = PeerProtocol.Configuration().maxInboundPerHost
    /// Waiting puts kept at most, by count and by encoded bytes; past either a put is refused.
    public var mempoolLimits = Mempool.Limits()
    /// Memory the key index may use: half for its database's page cache, half for the updates
    /// its database has not recorded yet (`--cache-mb`).
    public var keyIndexCacheBytes = 64 << 20

    // MARK: The network

    /// Where to take peer connections (`HOST:PORT`), or nil for none.
    public var listen: String?
    /// Where peers should dial this node (`HOST:PORT`), if not the listen address (behind NAT,
    /// or listening on 0.0.0.0); with none, a tracker records the address announcements come from.
    public var advertise: String?
    /// Trackers to announce to (`HOST:PORT`).
    public var trackers: [String]
    /// Peers to dial at start (`HOST:PORT`): enough to join with no tracker at all.
    public var peers: [String]
    /// Connections kept at most, both directions: up to 8 outbound, the rest inbound.
    public var maxPeers: Int
    /// The network to join on first start (from a tracker or a `--genesis` file); nil for a
    /// node that creates its own (standalone, `--dev`) or finds it in its data directory.
    public var network: NetworkParameters?

    /// Whether the node takes part in a network of peers.
    public var isNetworked: Bool { listen != nil || !trackers.isEmpty || !peers.isEmpty }

    /// The port peers are told to dial: the advertised one, else the listen one (0: none).
    public var advertisedPort: UInt16 {
        guard let text = advertise ?? listen, let (_, port) = HostAndPort.split(text) else { return 0 }
        return UInt16(port)
    }

    /// The peer protocol's numbers for this node.
    public var protocolConfiguration: PeerProtocol.Configuration {
        var configuration = PeerProtocol.Configuration()
        configuration.outboundPeers = min(8, maxPeers)
        configuration.maxInbound = max(maxPeers - configuration.outboundPeers, 0)
        configuration.maxInboundPerHost = maxInboundPerHost
        return configuration
    }

    /// When the miner works: on demand in `--dev`, continuously on a network.
    public var miningPolicy: any MiningPolicy { dev ? OnDemandSealing() : ContinuousMining() }

    /// Whether a network this node creates retargets; nil takes the mode's default: fixed for
    /// `--dev`, whose blocks are sealed on demand and come as fast as puts do, ASERT otherwise.
    public var retargeting: Retargeting?

    /// The default difficulty of a `--dev` network: a block in a few milliseconds.
    public static let devDifficultyBits = 12
    /// The default difficulty of a new network: about a block a second on two cores here.
    public static let defaultDifficultyBits = 24

    /// A configuration with the documented defaults.
    public init(
        dataDirectory: String = "data/node", socketPath: String? = nil, mine: Bool? = nil,
        miningThreads: Int = CoreBudget.machine.cores, hashRateLimit: Double? = nil,
        dev: Bool = false, difficultyBits: Int? = nil, networkName: String? = nil,
        segmentSize: UInt64 = 128 << 20, maxRequestBytes: Int = 8 << 20, maxClients: Int = 1_024,
        listen: String? = nil, advertise: String? = nil, trackers: [String] = [], peers: [String] = [], maxPeers: Int = 125,
        network: NetworkParameters? = nil
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
        self.maxClients = max(maxClients, 1)
        self.listen = listen
        self.advertise = advertise
        self.trackers = trackers
        self.peers = peers
        self.maxPeers = max(maxPeers, 1)
        self.network = network
    }
}
