import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainOwner
import KeyChainP2P
import KeyChainTracker
import KeyChainTransport
import KeyChainWire
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// A node's place in a network: its TCP transport, its announcements to trackers and its
/// peers file. Everything it learns (addresses from trackers, the peers file, the command line)
/// goes to the node's protocol as `discovered`; the protocol decides whom to dial.
///
/// A tracker is only a rendezvous: a tracker that is down, answers garbage or serves another
/// network is retried with capped backoff (1 s doubling to 60 s) and never stops the node,
/// which keeps its peers, learns more from them (`getaddr`), and finds them again on restart
/// in `peers`.
public final class PeerNetwork: Sendable {
    /// The node.
    public let node: Node
    /// Its transport.
    public let transport: PeerTransport
    private let logger: Logger
    private let trackers: [TrackerClient]
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    /// Longest wait between announcements to a tracker that keeps failing.
    static let maxRetry: Duration = .seconds(60)
    /// How often the known addresses are written to the peers file.
    static let saveInterval: Duration = .seconds(30)

    /// Peer connections get an event loop of their own, apart from the client API's: decoding
    /// a sync's or an import's frames then never delays a `get` on a shared loop. (At a lower
    /// priority it starved under load, and a node that lags in relay mines on a stale tip
    /// with few of the network's puts.)
    static let peerLoop = MultiThreadedEventLoopGroup(numberOfThreads: CoreBudget.machine.peerLoops)

    /// The network part of `node`, configured by its `NodeConfiguration`.
    public init(node: Node, logger: Logger) {
        self.node = node
        self.logger = logger
        transport = PeerTransport(network: node.parameters, verification: node.verification, recentBlocks: node.recentBlocks, logger: logger,
                                  group: Self.peerLoop, catchingUp: { [node] in node.view.catchingUp })
        trackers = node.configuration.trackers.compactMap { text in HostAndPort.split(text).map { TrackerClient(host: $0.host, port: $0.port) } }
    }

    /// The peers file: one `HOST:PORT` a line, the addresses this node knew when it last saved.
    public var peersFile: String { (node.configuration.dataDirectory as NSString).appendingPathComponent("peers") }

    /// Binds the listener, dials the known peers and starts announcing.
    public func start() async throws(NodeError) {
        let configuration = node.configuration
        transport.attach { [node] events, handled in node.receive(events, handled: handled) }
        node.setTransport(PeerOutlet(perform: { [transport] in transport.perform($0) }, offer: { [transport] in transport.offer($0, to: $1) },
                                     traffic: { [transport] in transport.traffic(of: $0) }))
        if let listen = configuration.listen, let (host, port) = HostAndPort.split(listen) {
            do {
                _ = try await transport.listen(host: host, port: port)
            } catch {
                throw .listen(address: listen, reason: "\(error)")
            }
            logger.notice("listening for peers", metadata: ["address": "\(listen)", "node": "\(Announcement.nodeText(node.nodeID))"])
        }
        var known: [PeerAddress] = []
        for text in configuration.peers {
            if let address = PeerAddress(parsing: text) { known.append(address) } else {
                logger.warning("cannot resolve --peer", metadata: ["peer": "\(text)"])
            }
        }
        let saved = Self.load(peersFile)
        if !saved.isEmpty { logger.notice("peers file read", metadata: ["addresses": "\(saved.count)"]) }
        known += saved
        if !known.isEmpty { node.receive(.discovered(known)) }
        var started: [Task<Void, Never>] = trackers.map { tracker in Task { [self] in await announce(to: tracker) } }
        started.append(Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.saveInterval)
                if !Task.isCancelled { await save() }
            }
        })
        tasks.withLockedValue { $0 = started }
    }

    /// Stops announcing (telling each tracker this node is gone), saves the peers file and
    /// closes every connection.
    public func stop() async {
        for task in tasks.withLockedValue({ $0 }) { task.cancel() }
        let gone = announcement(stopped: true)
        await withTaskGroup(of: Void.self) { group in
            for tracker in trackers {
                group.addTask {
                    var quick = tracker
                    quick.timeout = .seconds(2)
                    _ = try? await quick.announce(gone)
                }
            }
        }
        await save()
        transport.close()
    }

    // MARK: - Trackers

    private func announcement(stopped: Bool = false) -> Announcement {
        let configuration = node.configuration
        let advertised = configuration.advertise.flatMap(HostAndPort.split).map(\.host)
        let view = node.view
        return Announcement(nodeID: node.nodeID, genesis: node.parameters.genesisHash.hex, advertisedHost: advertised,
                            port: configuration.advertisedPort, height: view.height, best: view.tip.hash.hex, stopped: stopped)
    }

    /// Announces to `tracker` every interval it names, until cancelled; on failure retries
    /// after 1 s doubling to `maxRetry`. A node that does not listen only asks for peers.
    private func announce(to tracker: TrackerClient) async {
        var retry = Duration.seconds(1)
        var failing = false
        let genesis = node.parameters.genesisHash.hex
        while !Task.isCancelled {
            let wait: Duration
            do {
                let reply = node.configuration.advertisedPort == 0 ? try await tracker.peers(50) : try await tracker.announce(announcement())
                guard reply.genesis == genesis else {
                    throw TrackerClientError.refused(tracker.address, status: 200, reason: "it serves genesis \(reply.genesis), not this node's \(genesis)")
                }
                let addresses = reply.peers.compactMap { PeerAddress(parsing: "\($0.host.contains(":") ? "[\($0.host)]" : $0.host):\($0.port)") }
                if !addresses.isEmpty { node.receive(.discovered(addresses)) }
                if failing { logger.notice("tracker answers again", metadata: ["tracker": "\(tracker.address)"]) }
                logger.debug("announced", metadata: ["tracker": "\(tracker.address)", "peers": "\(addresses.count)",
                                                     "recordedAs": "\(reply.recordedAs ?? "-")"])
                failing = false
                retry = .seconds(1)
                wait = .seconds(max(reply.interval, 1))
            } catch {
                logger.warning("tracker failed; the node carries on with the peers it has", metadata: [
                    "tracker": "\(tracker.address)", "error": "\(error)", "retryIn": "\(retry)",
                ])
                failing = true
                wait = retry
                retry = min(retry * 2, Self.maxRetry)
            }
            try? await Task.sleep(for: wait)
        }
    }

    // MARK: - The peers file

    /// Writes the addresses the node knows, most recently seen first.
    func save() async {
        let addresses = await node.knownAddresses()
        guard !addresses.isEmpty else { return }
        let text = addresses.map(\.description).joined(separator: "\n") + "\n"
        do {
            try text.write(toFile: peersFile, atomically: true, encoding: .utf8)
        } catch {
            logger.warning("cannot write the peers file", metadata: ["path": "\(peersFile)", "error": "\(error)"])
        }
    }

    /// The addresses in a peers file; lines that do not parse are skipped.
    static func load(_ path: String) -> [PeerAddress] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isNewline).prefix(1_000).compactMap { PeerAddress(parsing: String($0)) }
    }
}
