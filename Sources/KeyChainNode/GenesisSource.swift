import Foundation
import KeyChainCore
import KeyChainOwner
import KeyChainTracker
import KeyChainWire
import Logging
import NIOCore
import NIOPosix

/// Where a node that follows no network yet learns the genesis parameters of the one it joins:
/// a `--genesis` file, else the first of its trackers that answers `GET /network`, else the
/// first of its `--peer`s that answers a `getnetwork` (`BootstrapFrame`).
public enum GenesisSource {
    /// How long to keep asking trackers before giving up.
    public static let trackerPatience: Duration = .seconds(60)

    /// The parameters in `path`: the JSON a tracker's `GET /network` answers, or the hex line
    /// of a node's `network.params`.
    public static func read(_ path: String) throws(NodeError) -> NetworkParameters {
        guard let data = FileManager.default.contents(atPath: path) else { throw .genesis("cannot read \(path)") }
        if let description = try? JSONDecoder().decode(NetworkDescription.self, from: data) {
            do { return try description.network() } catch { throw .genesis("\(path): \(error)") }
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), let network = try? NetworkParameters(decoding: bytes) else {
            throw .genesis("\(path) is neither a tracker's network description (JSON) nor a network.params file")
        }
        return network
    }

    /// The network of the first tracker to answer `GET /network`, asking each in turn with
    /// capped exponential backoff (1 s doubling to 16 s) for up to `patience`.
    public static func fetch(from trackers: [String], patience: Duration = trackerPatience, logger: Logger) async throws(NodeError) -> NetworkParameters {
        try await firstAnswer(from: trackers, kind: "tracker", patience: patience, logger: logger) { host, port in
            try await TrackerClient(host: host, port: port).network().network()
        }
    }

    /// The network of the first peer to answer a `getnetwork`, asked the same way.
    public static func fetch(fromPeers peers: [String], patience: Duration = trackerPatience, logger: Logger) async throws(NodeError) -> NetworkParameters {
        try await firstAnswer(from: peers, kind: "peer", patience: patience, logger: logger, ask: ask)
    }

    private static func firstAnswer(
        from sources: [String], kind: String, patience: Duration, logger: Logger,
        ask: (String, Int) async throws -> NetworkParameters
    ) async throws(NodeError) -> NetworkParameters {
        let deadline = ContinuousClock.now + patience
        var delay = Duration.seconds(1)
        var failures: [String] = []
        while true {
            failures = []
            for source in sources {
                guard let (host, port) = HostAndPort.split(source) else { continue }
                do {
                    let network = try await ask(host, port)
                    logger.notice("network from \(kind)", metadata: [
                        "\(kind)": "\(source)", "network": "\(network.name)", "genesis": "\(network.genesisHash.hex)",
                    ])
                    return network
                } catch {
                    failures.append("\(kind) \(source): \(error)")
                }
            }
            guard ContinuousClock.now + delay < deadline else { break }
            logger.warning("no \(kind) told the network; retrying", metadata: ["in": "\(delay)", "errors": "\(failures.joined(separator: "; "))"])
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(16))
        }
        throw .genesis("no \(kind) answered within \(patience): \(failures.joined(separator: "; "))")
    }

    /// One `getnetwork` exchange, bounded by 5 s.
    static func ask(host: String, port: Int) async throws -> NetworkParameters {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: port).get()
        let promise = channel.eventLoop.makePromise(of: NetworkParameters.self)
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(5)) {
            promise.fail(NodeError.genesis("no answer within 5 s"))
        }
        defer {
            timeout.cancel()
            channel.close(promise: nil)
        }
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(NetworkAnswerHandler(promise: promise))
        }.get()
        try await channel.writeAndFlush(ByteBuffer(bytes: BootstrapFrame.request))
        return try await promise.futureResult.get()
    }
}

/// Gathers a peer's `network` answer.
private final class NetworkAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<NetworkParameters>
    private var bytes: [UInt8] = []

    init(promise: EventLoopPromise<NetworkParameters>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes += Array(unwrapInboundIn(data).readableBytesView)
        do {
            if let network = try BootstrapFrame.parameters(in: bytes) { promise.succeed(network) }
        } catch {
            promise.fail(NodeError.genesis("the peer's answer is not a network: \(error)"))
        }
        if bytes.count > Frame.headerSize + BootstrapFrame.maxReplyPayload { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(NodeError.genesis("the peer closed the connection without telling its network"))
    }
}
