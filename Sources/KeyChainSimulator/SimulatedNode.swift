import KeyChainChain
import KeyChainCore
import KeyChainMining
import KeyChainP2P
import KeyChainStore
import Logging

/// One node of a simulation: the real chain and protocol over an in-memory store that outlives
/// a crash.
public final class SimulatedNode {
    /// The node's index in the simulation.
    public let index: Int
    /// Its share of the network's hash power (all shares sum to 1).
    public var hashShare: Double
    /// Its blocks, kept across crashes.
    public let store: MemoryBlockStore
    /// Its protocol state and chain (replaced on restart).
    public private(set) var peerProtocol: PeerProtocol
    /// Its chain, to read: only its protocol changes it.
    public var chain: ReadOnlyChain { peerProtocol.chain }
    /// Whether it is running.
    public internal(set) var isUp = true
    /// Peers it is connected to.
    public internal(set) var peers: Set<Int> = []
    /// When and on what its miner works, decided as a node's owner decides it.
    public internal(set) var miner = MinerController()
    /// The template its miner works on: nil while it idles (paused for a better block's body).
    /// A block it finds is this template sealed, whatever happened since it was made.
    public internal(set) var template: BlockTemplate?
    /// When its template is due a refresh with the puts that arrived since it was made.
    var refreshDue: UInt64?

    let parameters: NetworkParameters
    let configuration: PeerProtocol.Configuration
    let clock: VirtualClock
    let signatures: SignatureCache
    private let seed: UInt64
    private var boots: UInt64 = 0

    init(index: Int, hashShare: Double, parameters: NetworkParameters, configuration: PeerProtocol.Configuration, seed: UInt64,
         clock: VirtualClock, signatures: SignatureCache) throws {
        self.index = index
        self.hashShare = hashShare
        self.parameters = parameters
        self.configuration = configuration
        self.clock = clock
        self.signatures = signatures
        self.seed = seed
        store = MemoryBlockStore()
        peerProtocol = try Self.boot(index, parameters, configuration, seed ^ UInt64(index) << 20, store, clock, signatures)
    }

    private static func boot(_ index: Int, _ parameters: NetworkParameters, _ configuration: PeerProtocol.Configuration, _ seed: UInt64,
                             _ store: MemoryBlockStore, _ clock: VirtualClock, _ signatures: SignatureCache) throws -> PeerProtocol {
        var mix = SeededGenerator(seed: seed)
        let time: @Sendable () -> UInt64 = { clock.milliseconds }
        var logger = Logger(label: "keychain.sim.node\(index)")
        logger.logLevel = .critical
        let chain = try Blockchain(parameters: parameters, storage: store, clock: time, signatures: signatures, logger: logger)
        return PeerProtocol(chain: chain, nodeID: UInt64(index) &+ 1, listenPort: Simulator.address(of: index).port,
                            configuration: configuration, seed: mix.next(), clock: time)
    }

    /// Drops the in-memory state, as a crash would; the store survives.
    func crash() {
        isUp = false
        peers = []
        miner = MinerController()
        template = nil
        refreshDue = nil
    }

    /// Boots again from the store.
    func restart() throws {
        boots += 1
        peerProtocol = try Self.boot(index, parameters, configuration, seed ^ UInt64(index) << 20 ^ boots, store, clock, signatures)
        isUp = true
    }
}
