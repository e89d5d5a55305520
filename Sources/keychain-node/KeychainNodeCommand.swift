import ArgumentParser
import Foundation
import KeyChainNode
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
        """
    )

    @Option(name: .long, help: "Data directory: blocks, key index, wallet key, network parameters.")
    var dataDir = "data/node"

    @Option(name: .long, help: "Client API socket (default: <data-dir>/keychain.sock).")
    var socket: String?

    @Flag(inversion: .prefixedNo, help: "Mine blocks (default: on with --dev, off otherwise).")
    var mine: Bool?

    @Option(name: .long, help: "Mining threads.")
    var miningThreads = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Cap the total hash rate (hashes a second), e.g. to set an exact share of a network's hash power.")
    var hashRateLimit: Double?

    @Flag(name: .long, help: "A standalone single-node network that seals a block as soon as puts wait.")
    var dev = false

    @Option(name: .long, help: "Difficulty in bits (expected 2^BITS hashes a block) for a new standalone network; default 12 with --dev, 24 otherwise.")
    var difficulty: Int?

    @Option(name: .long, help: "Serve Prometheus metrics at http://HOST:PORT/metrics.")
    var metrics: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        if let difficulty, !(1...120).contains(difficulty) {
            throw ValidationError("--difficulty must be 1-120 bits, not \(difficulty)")
        }
        if let metrics, Self.hostAndPort(metrics) == nil {
            throw ValidationError("--metrics takes HOST:PORT, for example 127.0.0.1:9101")
        }
        if miningThreads < 1 { throw ValidationError("--mining-threads must be at least 1") }
        if let hashRateLimit, hashRateLimit <= 0 { throw ValidationError("--hash-rate-limit must be positive") }
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "keychain.node")
        let configuration = NodeConfiguration(
            dataDirectory: dataDir, socketPath: socket, mine: mine, miningThreads: miningThreads,
            hashRateLimit: hashRateLimit, dev: dev, difficultyBits: difficulty
        )
        // Before the node exists, so that its counters bind to this backend.
        var metricsServer: MetricsServer?
        if let metrics, let (host, port) = Self.hostAndPort(metrics) {
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
        // Shut down in reverse order: the node first (its clients answered, its checkpoint
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

extension KeychainNodeCommand {
    static func hostAndPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        let host = String(text[..<colon])
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
