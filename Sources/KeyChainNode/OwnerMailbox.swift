import DequeModule
import Dispatch
import KeyChainP2P
import NIOConcurrencyHelpers

/// The work waiting for the chain's owner, run one item at a time on its serial queue, from
/// three kinds of lane (docs/ARCHITECTURE.md §5):
/// - **first**: the miner's blocks, the protocol's timer and the transport's wiring, ahead of
///   everything: a block this node found must not wait behind anyone (its miner idles, and the
///   other miners race it on its parent);
/// - **one lane per peer**: each peer's batches (what one read of its socket brought) in the
///   order they came, since a peer's messages must be handled in order (a `headers` before the
///   `verack` it followed is a protocol violation); the peers with work take turns, one batch
///   each per round, so a peer that floods gets its share and no more (Bitcoin Core serves
///   each peer one message per turn of its loop): an honest peer's block waits behind at most
///   one batch of each other peer;
/// - **clients**: writes, waits and queries, in the order posted, so one connection's
///   requests take effect in order.
/// Peers and clients share the owner: while both have work, a client item runs after at most
/// `maxNetworkRun` peer batches, so a flood cannot shut clients out, and a client import
/// cannot hold a peer's block for more than one client item.
final class OwnerMailbox: Sendable {
    typealias Work = @Sendable () -> Void

    /// Where an item waits.
    enum Lane: Sendable, Equatable {
        /// Ahead of everything: the miner's blocks, timers, the transport's wiring.
        case first
        /// One peer's lane (nil: network events of no peer, such as a failed dial).
        case peer(PeerID?)
        /// The clients' lane.
        case clients
    }

    private struct Lanes {
        var first = Deque<Work>()
        var peers: [PeerID?: Deque<Work>] = [:]
        /// The peers with work waiting, in the order of their next turn.
        var turns = Deque<PeerID?>()
        var clients = Deque<Work>()
        /// Peer batches run in a row while clients waited.
        var networkRun = 0
    }

    /// Peer batches that may run in a row while a client item waits.
    static let maxNetworkRun = 4
    private let queue: DispatchQueue
    private let lanes = NIOLockedValueBox(Lanes())

    /// A mailbox whose work runs on `queue`.
    init(queue: DispatchQueue) { self.queue = queue }

    /// Queues `work` in `lane`. Each post schedules one turn on the queue and each turn runs
    /// one item, chosen by the rules above, so every item runs exactly once.
    func post(_ lane: Lane = .clients, _ work: @escaping Work) {
        lanes.withLockedValue { lanes in
            switch lane {
            case .first:
                lanes.first.append(work)
            case let .peer(peer):
                if lanes.peers[peer, default: []].isEmpty { lanes.turns.append(peer) }
                lanes.peers[peer, default: []].append(work)
            case .clients:
                lanes.clients.append(work)
            }
        }
        queue.async { [self] in next()?() }
    }

    /// Items waiting, by lane kind: for tests and metrics.
    var waiting: (first: Int, peers: Int, clients: Int) {
        lanes.withLockedValue { lanes in (lanes.first.count, lanes.peers.values.reduce(0) { $0 + $1.count }, lanes.clients.count) }
    }

    private func next() -> Work? {
        lanes.withLockedValue { lanes in
            if let work = lanes.first.popFirst() { return work }
            if !lanes.turns.isEmpty && (lanes.networkRun < Self.maxNetworkRun || lanes.clients.isEmpty) {
                if !lanes.clients.isEmpty { lanes.networkRun += 1 }
                return Self.nextPeerBatch(&lanes)
            }
            lanes.networkRun = 0
            return lanes.clients.popFirst() ?? Self.nextPeerBatch(&lanes)
        }
    }

    /// The next batch of the peer whose turn it is; that peer goes to the back of the round
    /// if it has more.
    private static func nextPeerBatch(_ lanes: inout Lanes) -> Work? {
        guard let peer = lanes.turns.popFirst(), var batches = lanes.peers[peer], let work = batches.popFirst() else { return nil }
        if batches.isEmpty {
            lanes.peers[peer] = nil
        } else {
            lanes.peers[peer] = batches
            lanes.turns.append(peer)
        }
        return work
    }
}
