import Dispatch
import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainMining
import KeyChainP2P
import KeyChainStore
import Logging
import Synchronization

/// One KeyChain node: its chain, peer protocol and transaction tracker behind one owner (a
/// serial queue, `ChainOwner`), its miner, and the view readers answer from.
///
/// Writes (`submit`, `wait`, `subscribe`, peer events, mined blocks) are enqueued to the owner
/// in the order they are called, and take effect in that order. Reads (`view`) return the
/// state the owner last published, at once, on the caller's thread: validation, signature
/// checks, fsync and reorganisations never hold them up.
public final class Node: Sendable {
    /// The network's genesis parameters.
    public let parameters: NetworkParameters
    /// The key the node signs `put`s with.
    public let wallet: Identity
    /// Verified signatures: callers verify off the owner's queue, in parallel, through it.
    public let signatures: SignatureCache
    /// Where clients' writes and peers' puts and blocks are verified, into `signatures`.
    public let verification: VerificationService
    /// The chain's last blocks, decoded and framed once: the transport sends them from here.
    public let recentBlocks: RecentBlocks
    /// What the node was started with.
    public let configuration: NodeConfiguration
    /// This process's random id: in its `version` messages and its tracker announcements.
    public let nodeID: UInt64

    let owner: ChainOwner
    /// The owner's lanes: every message to it waits in one.
    let mailbox: OwnerMailbox<OwnerMessage>
    let logger: Logger
    let metrics: NodeMetrics
    private let published: PublishedView
    private let miner: Miner?
    private let ticking = Atomic<Bool>(false)
    /// Holds the data directory's lock for the node's lifetime (nil for a node on storage alone).
    private let directory: NodeDataDirectory?

    /// A node over `storage` for the network `parameters`, signing puts with `wallet`. `clock` is
    /// the chain's (milliseconds since the epoch); `timerClock` the owner's timers' (any
    /// milliseconds; a monotonic clock unless given, so that a step of the wall clock does not
    /// hold the timers back).
    public convenience init(
        parameters: NetworkParameters, storage: sending BlockStorage, wallet: Identity, configuration: NodeConfiguration,
        clock: @escaping @Sendable () -> UInt64 = Blockchain.systemClock, timerClock: (@Sendable () -> UInt64)? = nil,
        logger: Logger = Logger(label: "keychain.node")
    ) throws(NodeError) {
        try self.init(parameters: parameters, storage: storage, wallet: wallet, configuration: configuration, directory: nil,
                      clock: clock, timerClock: timerClock ?? Self.monotonicMilliseconds, logger: logger)
    }

    /// Milliseconds since boot: the owner's timers' clock.
    static let monotonicMilliseconds: @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds / 1_000_000 }

    /// Opens the data directory of `configuration`: its lock, network (created on first start),
    /// wallet and block store.
    public convenience init(configuration: NodeConfiguration, logger: Logger = Logger(label: "keychain.node")) throws(NodeError) {
        let directory = try NodeDataDirectory(path: configuration.dataDirectory)
        let parameters: NetworkParameters
        if let joining = configuration.network {
            parameters = try directory.network(joining: joining)
        } else if let stored = try directory.storedNetwork() {
            parameters = stored
            if let bits = configuration.difficultyBits, bits != stored.difficultyBits {
                throw .networkMismatch(path: directory.path, reason: "it was created with --difficulty \(stored.difficultyBits), not \(bits)")
            }
            if let retargeting = configuration.retargeting, retargeting != stored.retargeting {
                throw .networkMismatch(path: directory.path, reason: "its difficulty is \(stored.retargeting), not \(retargeting)")
            }
        } else if configuration.isNetworked {
            throw .noNetwork(path: directory.path)
        } else {
            let bits = configuration.difficultyBits ?? (configuration.dev ? NodeConfiguration.devDifficultyBits : NodeConfiguration.defaultDifficultyBits)
            let created: NetworkParameters
            do {
                created = try NetworkParameters(name: configuration.networkName, difficultyBits: bits,
                                                createdAt: UInt64(Date().timeIntervalSince1970 * 1000),
                                                retargeting: configuration.retargeting ?? (configuration.dev ? .fixed : .default))
            } catch {
                throw .chain(error.description)
            }
            parameters = try directory.network(joining: created)
        }
        let storage: SegmentBlockStore
        do {
            storage = try SegmentBlockStore(dataDirectory: configuration.dataDirectory, segmentSize: configuration.segmentSize, logger: logger)
        } catch {
            throw .chain("\(error)")
        }
        try self.init(parameters: parameters, storage: storage, wallet: try directory.wallet(), configuration: configuration,
                      directory: directory, clock: Blockchain.systemClock, timerClock: Self.monotonicMilliseconds, logger: logger)
    }

    private init(
        parameters: NetworkParameters, storage: sending BlockStorage, wallet: Identity, configuration: NodeConfiguration,
        directory: NodeDataDirectory?, clock: @escaping @Sendable () -> UInt64, timerClock: @escaping @Sendable () -> UInt64, logger: Logger
    ) throws(NodeError) {
        do {
            try SignatureRule.check()
        } catch {
            throw .signatureRule(error)
        }
        let signatures = SignatureCache()
        let recentBlocks = RecentBlocks()
        let chain: Blockchain
        do {
            chain = try Blockchain(parameters: parameters, storage: storage, clock: clock, signatures: signatures,
                                   mempoolLimits: configuration.mempoolLimits, keyIndexCacheBytes: configuration.keyIndexCacheBytes,
                                   recentBlocks: recentBlocks, logger: logger)
        } catch {
            throw .networkMismatch(path: configuration.dataDirectory, reason: error.description)
        }
        let peers = PeerProtocol(chain: chain, nodeID: .random(in: 1 ... .max), listenPort: configuration.advertisedPort,
                                 configuration: configuration.protocolConfiguration, clock: clock)
        let published = PublishedView(ChainOwner.view(of: peers.chain, wallet: wallet.publicKey, outcomes: [:], mining: configuration.mine, peers: 0))
        let metrics = NodeMetrics()
        let executor = OwnerQueueExecutor(label: "keychain.node.chain")
        let mailbox = OwnerMailbox<OwnerMessage>(queue: executor.queue)
        // The miner's threads only post what they seal: the owner validates and stores it.
        let miner: Miner? = configuration.mine
            ? Miner(configuration: .init(threads: configuration.miningThreads, hashRateLimit: configuration.hashRateLimit)) { [weak mailbox] block in
                mailbox?.post(.miner, .mined(block))
            }
            : nil
        let wakeup = DispatchWakeup { [weak mailbox] in mailbox?.post(.first, .timersDue) }
        nodeID = peers.nodeID
        let owner = ChainOwner(peers: peers, policy: configuration.miningPolicy, wallet: wallet, miner: miner,
                               executor: executor, wakeup: wakeup, published: published, metrics: metrics, clock: clock,
                               timerClock: timerClock, logger: logger)
        mailbox.open { [owner] message in owner.assumeIsolated { $0.handle(message) } }
        self.parameters = parameters
        self.wallet = wallet
        self.signatures = signatures
        verification = VerificationService(cache: signatures)
        self.recentBlocks = recentBlocks
        self.configuration = configuration
        self.directory = directory
        self.logger = logger
        self.metrics = metrics
        self.published = published
        self.miner = miner
        self.owner = owner
        self.mailbox = mailbox
    }

    // MARK: - Lifecycle

    /// Starts the miner (if configured) and the protocol's timer.
    public func start() {
        guard !ticking.exchange(true, ordering: .relaxed) else { return }
        miner?.start()
        mailbox.post(.first, .start(banner: [
            "network": parameters.name, "genesis": parameters.genesisHash.short, "mining": "\(configuration.mine)",
            "dev": "\(configuration.dev)", "wallet": wallet.publicKey.hex,
        ]))
    }

    /// Stops mining, fails every waiting client, lets the key index's database record the last
    /// updates; returns once
    /// the owner has taken its last turn. Work posted afterwards is refused (`shuttingDown`).
    public func shutdown() async {
        if let miner {
            // `stop` joins the miner's threads: on a thread of its own, not the cooperative pool's.
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    miner.stop()
                    continuation.resume()
                }
            }
        }
        await withCheckedContinuation { continuation in mailbox.post(.first, .stop(OwnerReply(continuation))) }
    }

    // MARK: - Reads

    /// What the owner last published.
    public var view: ChainView { published.current }

    /// The miner's hashes a second over the last few seconds (`Miner.hashRate`).
    public var hashRate: Double { miner?.hashRate ?? 0 }

    /// Open client connections, as the API server counts them.
    package let clientCount = Atomic<Int>(0)

    // MARK: - Writes, in call order

    /// A put signed by the node's wallet, ready to `submit` (its signature already verified,
    /// off the owner's queue).
    public func signPut(key: String, value: [UInt8], expectedVersion: UInt64?) -> Result<Transaction, NodeRequestError> {
        if let error = ChainView.checkKey(key) { return .failure(error) }
        guard value.count <= parameters.maxValueLength else {
            return .failure(.refused(.valueTooLarge(size: value.count, maximum: parameters.maxValueLength)))
        }
        do {
            let transaction = try Transaction.signed(key: key, value: value, expectedVersion: expectedVersion, by: wallet)
            _ = signatures.isValid(transaction)
            return .success(transaction)
        } catch {
            return .failure(.invalidKey(error.description))
        }
    }

    /// Admits a put; `completion` gets its status once the view shows it. (Every `completion`
    /// here is called on the owner's queue and must only hand its answer on: `OwnerReply`.) Submitting a put already pending or confirmed answers with its status again.
    /// `connection` names the client's lane (0 for callers in this process): connections take
    /// turns at the owner.
    public func submit(_ transaction: Transaction, connection: UInt64 = 0,
                       completion: @escaping @Sendable (Result<TransactionStatus, NodeRequestError>) -> Void) {
        mailbox.post(.client(connection), .submit(transaction, OwnerReply(handingOverTo: completion)))
    }

    /// Admits many puts in order, each on its own; one publication for the lot.
    public func submit(batch: [Transaction], connection: UInt64 = 0,
                       completion: @escaping @Sendable ([Result<TransactionStatus, NodeRequestError>]) -> Void) {
        mailbox.post(.client(connection), .submitBatch(batch, OwnerReply(handingOverTo: completion)))
    }

    /// Waits until every txid is `depth` deep or has failed, or until `timeout`. With `all`,
    /// the answer holds every txid's status (an unknown one as `.unknown`);
    /// without, a failure or an unknown txid is the answer. `registered` runs once the wait is
    /// in place, `completion` (on the owner's queue) with the answer.
    public func wait(
        for txids: [Hash256], depth: UInt32, timeout: Duration, all: Bool, connection: UInt64 = 0,
        registered: @escaping @Sendable () -> Void = {},
        completion: @escaping @Sendable (Result<[TransactionStatus], NodeRequestError>) -> Void
    ) {
        let request = WaitRequest(txids: txids, depth: depth, timeout: timeout, all: all, connection: connection)
        mailbox.post(.client(connection), .wait(request, registered: OwnerReply(handingOverTo: { registered() }),
                                                OwnerReply(handingOverTo: completion)))
    }

    /// Registers a connection for notifications; `completion` runs once it is in place, with
    /// why it was refused if it was (a bound on followed txids: -32030).
    public func subscribe(connection: UInt64, txids: [Hash256], tips: Bool, sink: @escaping @Sendable (ChainNotification) -> Void,
                          completion: @escaping @Sendable (NodeRequestError?) -> Void) {
        let request = SubscribeRequest(connection: connection, txids: txids, tips: tips, sink: sink)
        mailbox.post(.client(connection), .subscribe(request, OwnerReply(handingOverTo: completion)))
    }

    /// Forgets a closed connection.
    public func unsubscribe(connection: UInt64) {
        mailbox.post(.client(connection), .unsubscribe(connection: connection))
    }

    /// A stored block by hash, by height on the best chain, or the tip; read on the owner's
    /// queue, which alone touches the store.
    public func block(hash: Hash256?, height: UInt32?, connection: UInt64 = 0,
                      completion: @escaping @Sendable (Result<BlockReport, NodeRequestError>) -> Void) {
        mailbox.post(.client(connection), .block(hash: hash, height: height, OwnerReply(handingOverTo: completion)))
    }

    // MARK: - Peers

    /// An event from the peer transport: a connection, a message, a dial that failed. It
    /// waits in its peer's lane.
    public func receive(_ event: ProtocolEvent) {
        mailbox.post(.peer(event.peer), .peerEvents([event], handled: .ignored))
    }

    /// Events from the transport, all of one peer (or of none), handled in one turn of the
    /// owner and published once; `handled` runs after that turn, on the owner's queue (the
    /// transport counts a peer's bytes as waiting until then).
    public func receive(_ events: [ProtocolEvent], handled: @escaping @Sendable () -> Void = {}) {
        mailbox.post(.peer(events.first?.peer), .peerEvents(events, handled: OwnerReply(handingOverTo: { handled() })))
    }

    /// Sends the protocol's actions through `outlet` (the transport) and reports its traffic
    /// in `peers`.
    public func setTransport(_ outlet: PeerOutlet) {
        // In the first lane, so that no peer event overtakes it.
        mailbox.post(.first, .connect(outlet))
    }

    /// The node's connections and bans; `completion` runs on the owner's queue.
    public func peers(connection: UInt64 = 0, completion: @escaping @Sendable (PeerReport) -> Void) {
        mailbox.post(.client(connection), .peers(OwnerReply(handingOverTo: completion)))
    }

    /// The addresses the node knows, most recently seen first (for the peers file).
    public func knownAddresses(limit: Int = 1_000) async -> [PeerAddress] {
        await withCheckedContinuation { continuation in
            mailbox.post(.client(0), .knownAddresses(limit: limit, OwnerReply(continuation)))
        }
    }

    /// Where the protocol's actions (sends, dials, disconnects) go; called on the owner's queue,
    /// so it must only hand them on.
    public func setTransport(_ transport: @escaping @Sendable ([ProtocolAction]) -> Void) {
        mailbox.post(.first, .connect(PeerOutlet(perform: transport)))
    }

    // MARK: - Awaiting

    /// `submit`, awaited.
    public func submit(_ transaction: Transaction) async -> Result<TransactionStatus, NodeRequestError> {
        await withCheckedContinuation { continuation in submit(transaction) { continuation.resume(returning: $0) } }
    }

    /// `wait`, awaited.
    public func wait(for txids: [Hash256], depth: UInt32, timeout: Duration, all: Bool = false) async -> Result<[TransactionStatus], NodeRequestError> {
        await withCheckedContinuation { continuation in
            wait(for: txids, depth: depth, timeout: timeout, all: all) { continuation.resume(returning: $0) }
        }
    }

    /// Returns once the owner has handled everything posted to it, in any lane, before this
    /// call: a barrier for tests and benchmarks.
    public func settle() async {
        await withCheckedContinuation { continuation in mailbox.postBarrier { continuation.resume() } }
    }

    /// Runs `body` in the owner's isolation and returns what it returns, blocking the caller
    /// until then: for tests that look at or drive the owner's state directly.
    func onOwner<T: Sendable>(_ body: @Sendable (isolated ChainOwner) -> T) -> T {
        owner.executor.queue.sync { owner.assumeIsolated { body($0) } }
    }
}
