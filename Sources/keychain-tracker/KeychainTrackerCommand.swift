import ArgumentParser
import Foundation
import KeyChainCore
import KeyChainTracker
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `keychain-tracker`: the rendezvous of one network.
@main
struct KeychainTrackerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keychain-tracker",
        abstract: "Run a KeyChain tracker: the network's genesis parameters and its live peers, over HTTP/JSON.",
        discussion: """
        The first start creates the network from the genesis flags and keeps it in --state-dir; later starts
        serve the same network, and a genesis flag that contradicts it is refused. A new network retargets (ASERT,
        one block per --block-interval) unless --fixed-difficulty is given; --difficulty is where it starts.
          keychain-tracker --listen 0.0.0.0:7070 --difficulty 24 --name mynet
        """
    )

    @Option(name: .long, help: "Serve HTTP on HOST:PORT.")
    var listen = "127.0.0.1:7070"

    @Option(name: .long, help: "Where the network's genesis parameters are kept (network.json).")
    var stateDir = "tracker/state"

    @Option(name: .long, help: "Network name (new network; default keychain).")
    var name: String?

    @Option(name: .long, help: "Starting difficulty in bits, 2^BITS expected hashes a block (new network; default 24).")
    var difficulty: Int?

    @Flag(name: .long, help: "Keep --difficulty for every block instead of retargeting (new network).")
    var fixedDifficulty = false

    @Option(name: .long, help: "Retarget by ASERT with this half-life, in block intervals (new network; default 30).")
    var halfLife: UInt32?

    @Option(name: .long, help: "Nominal block interval in milliseconds (new network; default 1000).")
    var blockInterval: UInt32?

    @Option(name: .long, help: "Largest block in bytes (new network; default 3000000).")
    var maxBlockSize: Int?

    @Option(name: .long, help: "Largest value in bytes (new network; default 65536).")
    var maxValueSize: Int?

    @Option(name: .long, help: "Seconds between a node's announcements; a peer silent for 1.5 of them is dropped.")
    var announceInterval = 30

    @Option(name: .long, help: "Peers kept at most.")
    var maxPeers = 10_000

    @Option(name: .long, help: "Requests a second one host may make steadily (six times that at once); more get 429.")
    var requestRate = 20.0

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard let (_, port) = HostAndPort.split(listen), port > 0 else { throw ValidationError("--listen takes HOST:PORT, for example 0.0.0.0:7070") }
        if announceInterval < 1 { throw ValidationError("--announce-interval must be at least 1 second") }
        if maxPeers < 1 { throw ValidationError("--max-peers must be at least 1") }
        if fixedDifficulty && halfLife != nil { throw ValidationError("--fixed-difficulty and --half-life contradict each other") }
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "keychain.tracker")
        let request = TrackerState.Request(name: name, difficultyBits: difficulty, blockIntervalMilliseconds: blockInterval,
                                           maxBlockSize: maxBlockSize, maxValueLength: maxValueSize,
                                           retargeting: fixedDifficulty ? .fixed : halfLife.map { .asert(halfLifeIntervals: $0) })
        let network: NetworkParameters
        do {
            network = try TrackerState.open(stateDir, request: request, now: UInt64(Date().timeIntervalSince1970 * 1_000))
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let server = TrackerServer(network: network, interval: UInt64(announceInterval) * 1_000, capacity: maxPeers, requestsPerSecond: requestRate,
                                   registry: registry, logger: logger)
        guard let (host, port) = HostAndPort.split(listen) else { throw ExitCode(2) }
        do {
            try await server.start(host: host, port: port)
        } catch {
            logger.critical("cannot listen on \(listen): \(error)")
            throw ExitCode(1)
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: TrackerService(server: server))],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("tracker stopped")
    }
}

/// The server as a lifecycle service: runs until SIGTERM/SIGINT closes its listener.
struct TrackerService: Service {
    let server: TrackerServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.waitUntilClosed()
        } onGracefulShutdown: {
            server.stop()
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
