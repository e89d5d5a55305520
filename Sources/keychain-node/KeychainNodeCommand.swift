import ArgumentParser
import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainNode
import KeyChainOwner
import KeyChainP2P
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `keychain-node`: runs one KeyChain node.
@main
struct KeychainNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keychain-node",
        abstract: "Run a KeyChain node: its chain, its miner and its client API on a Unix socket.",
        discussion: """
        A standalone developer network in one command:  keychain-node --dev
        Then, in another shell:  keychain-cli --socket data/node/keychain.sock put greeting hello

        Joining a network:  keychain-node --data-dir data/alice --listen 0.0.0.0:7101 --tracker HOST:7070 --mine
        On first start the node takes the network's genesis parameters from a tracker, a --peer or --genesis FILE, and
        pins them in its data directory; afterwards it refuses trackers and peers of any other network.
        """
    )

    @Option(name: .long, help: "Data directory: blocks, key index, wallet key, network parameters.")
    var dataDir = "data/node"

    @Option(name: .long, help: "Client API socket (default: <data-dir>/keychain.sock).")
    var socket: String?

    @Flag(inversion: .prefixedNo, help: "Mine blocks (default: on with --dev, off otherwise).")
    var mine: Bool?

    @Option(name: .long, help: "Mining threads (default 1: on a network, mining must leave cores for validation and clients).")
    var miningThreads: Int?

    @Option(name: .long, help: "Cap the total hash rate (hashes a second), e.g. to set an exact share of a network's hash power.")
    var hashRateLimit: Double?

    @Flag(name: .long, help: "A standalone single-node network that seals a block as soon as puts wait.")
    var dev = false

    @Option(name: .long, help: "Difficulty in bits (expected 2^BITS hashes a block) for a new standalone network; default 12 with --dev, 24 otherwise. Where it starts if it retargets.")
    var difficulty: Int?

    @Flag(name: .long, help: "A new standalone network keeps --difficulty for every block (the default with --dev).")
    var fixedDifficulty = false

    @Option(name: .long, help: "A new standalone network retargets by ASERT with this half-life, in block intervals (the default without --dev: 30).")
    var halfLife: UInt32?

    @Option(name: .long, help: "Take peer connections on HOST:PORT (e.g. 0.0.0.0:7101).")
    var listen: String?

    @Option(name: .long, help: "A tracker to announce to and learn peers from (repeatable).")
    var tracker: [String] = []

    @Option(name: .long, help: "A peer to dial at start (repeatable); enough to join with no tracker.")
    var peer: [String] = []

    @Option(name: .long, help: "The HOST:PORT peers should dial (default: the listen port at the address the tracker sees).")
    var advertise: String?

    @Option(name: .long, help: "Peer connections kept at most, both directions (up to 8 outbound).")
    var maxPeers = 125

    @Option(name: .long, help: "Client connections served at once on the socket; more are answered with an error and closed.")
    var maxClients = NodeConfiguration().maxClients

    @Option(name: .long, help: "Inbound peer connections taken from one host (loopback included).")
    var maxInboundPerHost = PeerProtocol.Configuration().maxInboundPerHost

    @Option(name: .long, help: "The longest request line taken on the socket, in bytes; a longer one gets an error.")
    var maxRequestBytes = NodeConfiguration().maxRequestBytes

    @Option(name: .long, help: "Waiting puts kept at most; past it a put is refused (-32013).")
    var mempoolPuts = Mempool.Limits().maxTransactions

    @Option(name: .long, help: "Waiting puts' bytes kept at most; past it a put is refused (-32013).")
    var mempoolBytes = Mempool.Limits().maxBytes

    @Option(name: .long, help: "Megabytes of memory the key index may use (its database's page cache and the updates not on disk yet); its history stays on disk.")
    var cacheMb = NodeConfiguration().keyIndexCacheBytes >> 20

    @Option(name: .long, help: "Genesis parameters for first start (else from a tracker or a peer): a tracker's GET /network answer or a node's network.params.")
    var genesis: String?

    @Option(name: .long, help: "Serve Prometheus metrics at http://HOST:PORT/metrics.")
    var metrics: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        if let difficulty, !(1...120).contains(difficulty) {
            throw ValidationError("--difficulty must be 1-120 bits, not \(difficulty)")
        }
        if fixedDifficulty && halfLife != nil { throw ValidationError("--fixed-difficulty and --half-life contradict each other") }
        if let halfLife, !(1...Retargeting.maxHalfLifeIntervals).contains(halfLife) {
            throw ValidationError("--half-life must be 1-\(Retargeting.maxHalfLifeIntervals) intervals, not \(halfLife)")
        }
        if let metrics, HostAndPort.split(metrics) == nil {
            throw ValidationError("--metrics takes HOST:PORT, for example 127.0.0.1:9101")
        }
        if let miningThreads, miningThreads < 1 { throw ValidationError("--mining-threads must be at least 1") }
        for (flag, values) in [("--listen", listen.map { [$0] } ?? []), ("--tracker", tracker), ("--peer", peer),
                               ("--advertise", advertise.map { [$0] } ?? [])] {
            for value in values {
                guard let (_, port) = HostAndPort.split(value), port > 0 else {
                    throw ValidationError("\(flag) takes HOST:PORT with a port of 1-65535, for example 127.0.0.1:7101, not \(value)")
                }
            }
        }
        if maxPeers < 1 { throw ValidationError("--max-peers must be at least 1") }
        if maxClients < 1 { throw ValidationError("--max-clients must be at least 1") }
        if maxInboundPerHost < 1 { throw ValidationError("--max-inbound-per-host must be at least 1") }
        if maxRequestBytes < 1_024 { throw ValidationError("--max-request-bytes must be at least 1024") }
        if mempoolPuts < 1 || mempoolBytes < 1 { throw ValidationError("--mempool-puts and --mempool-bytes must be at least 1") }
        if cacheMb < 8 || cacheMb > 1 << 20 { throw ValidationError("--cache-mb must be 8-1048576, not \(cacheMb)") }
        if dev && (listen != nil || !tracker.isEmpty || !peer.isEmpty) {
            throw ValidationError("--dev is a standalone network: it takes no --listen, --tracker or --peer")
        }
        if let hashRateLimit, hashRateLimit <= 0 { throw ValidationError("--hash-rate-limit must be positive") }
    }

    func run() async throws {
        HeapRetention.keepFreedMemory()
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "keychain.node")
        var configuration = NodeConfiguration(
            dataDirectory: dataDir, socketPath: socket, mine: mine, miningThreads: miningThreads ?? (dev ? CoreBudget.machine.devMiners : CoreBudget.machine.networkMiners),
            hashRateLimit: hashRateLimit, dev: dev, difficultyBits: difficulty,
            listen: listen, advertise: advertise, trackers: tracker, peers: peer, maxPeers: maxPeers
        )
        configuration.maxClients = maxClients
        configuration.retargeting = fixedDifficulty ? .fixed : halfLife.map { .asert(halfLifeIntervals: $0) }
        configuration.maxInboundPerHost = maxInboundPerHost
        configuration.maxRequestBytes = maxRequestBytes
        configuration.mempoolLimits = Mempool.Limits(maxTransactions: mempoolPuts, maxBytes: mempoolBytes)
        configuration.keyIndexCacheBytes = cacheMb << 20
        // A node that follows no network yet learns it now, before its data directory is opened.
        let pinned = FileManager.default.fileExists(atPath: (dataDir as NSString).appendingPathComponent("network.params"))
        do {
            if let genesis {
                configuration.network = try GenesisSource.read(genesis)
            } else if !pinned && !tracker.isEmpty {
                do {
                    configuration.network = try await GenesisSource.fetch(from: tracker, logger: logger)
                } catch where !peer.isEmpty {
                    logger.warning("\(error); asking the peers")
                    configuration.network = try await GenesisSource.fetch(fromPeers: peer, logger: logger)
                }
            } else if !pinned && !peer.isEmpty {
                configuration.network = try await GenesisSource.fetch(fromPeers: peer, logger: logger)
            }
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        // Before the node exists, so that its counters bind to this backend.
        var metricsServer: MetricsServer?
        if let metrics, let (host, port) = HostAndPort.split(metrics) {
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let server = MetricsServer(registry: registry, host: host, port: port, logger: logger)
            do { try await server.start() } catch {
                logger.critical("cannot serve metrics on \(metrics): \(error)")
                throw ExitCode(1)
            }
            metricsServer = server
        }
        let service: NodeService
        do {
            service = try NodeService(configuration: configuration, logger: logger)
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        // Shut down in reverse order: the node first (its clients answered, its key index
        // written), then the metrics it reported to.
        var services: [any Service] = []
        if let metricsServer { services.append(metricsServer) }
        services.append(service)
        let group = ServiceGroup(
            configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}


extension Logger.Level: @retroactive ExpressibleByArgument {}
