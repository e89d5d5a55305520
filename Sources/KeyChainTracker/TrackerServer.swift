import Foundation
import KeyChainCore
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// The tracker's HTTP/JSON API over SwiftNIO's HTTP/1 codec (docs/ARCHITECTURE.md §7, PROTOCOL.md §10):
/// `POST /announce`, `GET /peers?n=`, `GET /network`, `GET /health`, `GET /metrics`. It holds
/// the live `PeerTable` under a lock; each request is small and answered at once.
public final class TrackerServer: Sendable {
    /// The network served.
    public let network: NetworkParameters
    /// A request body larger than this is refused (an announcement is about 200 bytes).
    public static let maxBodyBytes = 16 * 1024
    /// Peers in an answer unless `n` says otherwise, and the most `n` may ask for.
    public static let defaultSample = 50
    public static let maxSample = 1_000
    /// A request not complete this long after its connection went quiet is answered 400.
    public static let requestTimeout = TimeAmount.seconds(10)

    private let table: NIOLockedValueBox<PeerTable>
    private let rate: NIOLockedValueBox<RequestRate>
    /// Seconds between a node's announcements, as answers give it.
    private let intervalSeconds: Int
    private let registry: PrometheusCollectorRegistry
    private let logger: Logger
    private let channel = NIOLockedValueBox<Channel?>(nil)
    let clock: @Sendable () -> UInt64
    let metrics = TrackerMetrics()

    /// A tracker for `network`, whose nodes re-announce every `interval` milliseconds.
    /// `requestsPerSecond` is what one host may ask steadily (six times that at once).
    public init(network: NetworkParameters, interval: UInt64 = 30_000, capacity: Int = 10_000, requestsPerSecond: Double = 20,
                registry: PrometheusCollectorRegistry, logger: Logger,
                clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1_000) }) {
        self.network = network
        let peers = PeerTable(interval: interval, capacity: capacity)
        table = NIOLockedValueBox(peers)
        rate = NIOLockedValueBox(RequestRate(perSecond: requestsPerSecond))
        intervalSeconds = Int(peers.interval / 1_000)
        self.registry = registry
        self.logger = logger
        self.clock = clock
    }

    /// Binds `host:port` (port 0 picks one) and returns the bound port.
    @discardableResult
    public func start(host: String, port: Int) async throws -> Int {
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(IdleStateHandler(readTimeout: Self.requestTimeout))
                    // Garbage that is not HTTP/1 gets the codec's own 400 and a close.
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(TrackerHTTPHandler(server: self))
                }
            }
            .bind(host: host, port: port).get()
        channel.withLockedValue { $0 = bound }
        let actual = bound.localAddress?.port ?? port
        logger.info("tracker listening", metadata: ["address": "\(host):\(actual)", "network": "\(network.name)",
                                                   "genesis": "\(network.genesisHash.hex)"])
        return actual
    }

    /// Closes the listener.
    public func stop() { channel.withLockedValue { $0?.close(promise: nil) } }

    /// Returns when the listener closes.
    public func waitUntilClosed() async throws {
        try await channel.withLockedValue { $0 }?.closeFuture.get()
    }

    // MARK: - Requests

    /// An answer: a status and a JSON (or Prometheus text) body.
    struct Response {
        var status: HTTPResponseStatus
        var body: [UInt8]
        var contentType = "application/json"

        static func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) -> Response {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return Response(status: status, body: ((try? encoder.encode(value)).map(Array.init) ?? Array("{}".utf8)) + [0x0A])
        }

        static func error(_ status: HTTPResponseStatus, _ reason: String) -> Response {
            .json(["error": reason], status: status)
        }
    }

    /// Answers one complete request from `source` (the connection's remote host).
    func respond(method: HTTPMethod, uri: String, body: [UInt8], source: String) -> Response {
        let now = clock()
        let (allowed, limit) = rate.withLockedValue { ($0.allow(source, now: now), $0.perSecond) }
        guard allowed else {
            return .error(.tooManyRequests, "\(source) asks more than \(Int(limit)) times a second; slow down")
        }
        let parts = uri.split(separator: "?", maxSplits: 1)
        let path = parts.first.map(String.init) ?? uri
        let query = parts.count > 1 ? String(parts[1]) : ""
        guard let expected = Self.routes[path] else {
            return .error(.notFound, "no such endpoint \(path); the tracker serves POST /announce, GET /peers, /network, /health, /metrics")
        }
        guard method == expected else { return .error(.methodNotAllowed, "\(path) takes \(expected), not \(method)") }
        let response: Response
        switch path {
        case "/announce": response = announce(body, source: source)
        case "/peers": response = peers(query)
        case "/network": response = .json(NetworkDescription(network))
        case "/health":
            let count = table.withLockedValue { $0.expire(now: clock()); return $0.count }
            response = .json(Health(status: "ok", network: network.name, genesis: network.genesisHash.hex, peers: count))
        default:
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            response = Response(status: .ok, body: bytes, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        return response
    }

    private static let routes: [String: HTTPMethod] = ["/announce": .POST, "/peers": .GET, "/network": .GET, "/health": .GET, "/metrics": .GET]

    private struct Health: Encodable {
        let status: String
        let network: String
        let genesis: String
        let peers: Int
    }

    private func announce(_ body: [UInt8], source: String) -> Response {
        let announcement: Announcement
        do {
            announcement = try JSONDecoder().decode(Announcement.self, from: Data(body))
        } catch {
            metrics.announcements(.malformed)
            return .error(.badRequest, "the body is not an announcement: \(Self.reason(error))")
        }
        let genesis = network.genesisHash.hex
        guard announcement.genesis.lowercased() == genesis else {
            metrics.announcements(.wrongNetwork)
            return .error(.conflict, "this tracker serves network \"\(network.name)\" (genesis \(genesis)), not genesis \(announcement.genesis)")
        }
        let now = clock()
        var generator = SystemRandomNumberGenerator()
        let (outcome, sample, recorded, live) = table.withLockedValue { table in
            let outcome = table.announce(announcement, from: source, now: now)
            let sample = table.sample(Self.defaultSample, excluding: announcement.nodeID, now: now, using: &generator)
            return (outcome, sample, table.peer(announcement.nodeID), table.count)
        }
        metrics.peers.record(live)
        switch outcome {
        case .added, .refreshed:
            metrics.announcements(outcome == .added ? .added : .refreshed)
            let address = recorded.map { "\($0.host):\($0.port)" }
            return .json(AnnounceReply(genesis: genesis, interval: intervalSeconds, recordedAs: address, peers: sample.map(Self.entry)))
        case .removed:
            metrics.announcements(.removed)
            return .json(AnnounceReply(genesis: genesis, interval: 0, peers: []))
        case .full:
            metrics.announcements(.full)
            return .error(.serviceUnavailable, "the tracker's table is full; dial the peers you know")
        case let .unreachable(reason):
            metrics.announcements(.unreachable)
            return .error(.badRequest, reason)
        }
    }

    private func peers(_ query: String) -> Response {
        var count = Self.defaultSample
        for pair in query.split(separator: "&") {
            let field = pair.split(separator: "=", maxSplits: 1)
            guard field.first == "n" else { continue }
            guard field.count == 2, let n = Int(field[1]), (1...Self.maxSample).contains(n) else {
                return .error(.badRequest, "n must be a number from 1 to \(Self.maxSample)")
            }
            count = n
        }
        var generator = SystemRandomNumberGenerator()
        let now = clock()
        let sample = table.withLockedValue { $0.sample(count, now: now, using: &generator) }
        return .json(AnnounceReply(genesis: network.genesisHash.hex, interval: intervalSeconds, peers: sample.map(Self.entry)))
    }

    private static func entry(_ peer: PeerTable.Peer) -> AnnounceReply.Peer {
        AnnounceReply.Peer(node: Announcement.nodeText(peer.nodeID), host: peer.host, port: peer.port, height: peer.height)
    }

    /// A decoding error as one line a person can act on.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? Swift.DecodingError else { return "\(error)" }
        switch error {
        case let .keyNotFound(key, _): return "\"\(key.stringValue)\" is missing"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "not JSON" : context.debugDescription
        @unknown default: return "\(error)"
        }
    }
}
