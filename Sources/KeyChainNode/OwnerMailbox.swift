import DequeModule
import Dispatch
import KeyChainP2P
import NIOConcurrencyHelpers

/// The work waiting for the chain's owner, run one item at a time on its serial queue, from
/// three kinds of lane (docs/ARCHITECTURE.md §5):
/// - **first**: the protocol's timer and the transport's wiring, ahead of everything (never
///   twice in a row while others wait);
/// - **the network's round**: a lane per peer with that peer's batches (what one read of its
///   socket brought) in the order they came, since a peer's messages must be handled in order
///   (a `headers` before the `verack` it followed is a protocol violation), and a lane for the
///   miner's blocks. Those with work take turns, one item each per round, so a peer that floods
///   gets its share and no more (Bitcoin Core serves each peer one message per turn of its
///   loop): an honest peer's block waits behind at most one batch of each other peer. A block
///   the miner seals joins the round at its head, so it runs next, before any queued peer
///   batch (its miner idles meanwhile, and other miners race it on its parent); but a backlog
///   of them gets one turn a round like anyone else's. With strict priority instead, a miner
///   that seals faster than the owner connects (three debug-build nodes at 12 bits seal dozens
///   a second each) had each node connect its own blocks ahead of its peers' headers: it learnt
///   of the others' chains ever later and all three mined chains of their own;
/// - **clients**: writes, waits and queries, in the order posted, so one connection's
///   requests take effect in order.
/// While both the network and clients have work, a client item runs after at most
/// `maxNetworkRun` network items, so a flood cannot shut clients out, and a client import
/// cannot hold a peer's block for more than one client item.
final class OwnerMailbox: Sendable {
    typealias Work = @Sendable () -> Void

    /// Where an item waits.
    enum Lane: Sendable, Equatable {
        /// Ahead of everything: timers, the transport's wiring.
        case first
        /// The miner's blocks: in the network's round, joining it at its head.
        case miner
        /// One peer's lane (nil: network events of no peer, such as a failed dial).
        case peer(PeerID?)
        /// The clients' lane.
        case clients
    }

    /// Who takes a turn in the network's round.
    private enum Participant: Hashable {
        case miner
        case peer(PeerID?)
    }

    private struct Lanes {
        var first = Deque<Work>()
        var network: [Participant: Deque<Work>] = [:]
        /// Those with network work waiting, in the order of their next turn.
        var turns = Deque<Participant>()
        var clients = Deque<Work>()
        /// Network items run in a row while clients waited.
        var networkRun = 0
        /// Whether the last item came from the first lane.
        var firstRan = false
    }

    /// Network items that may run in a row while a client item waits.
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
            case .miner:
                if lanes.network[.miner, default: []].isEmpty { lanes.turns.prepend(.miner) }
                lanes.network[.miner, default: []].append(work)
            case let .peer(peer):
                if lanes.network[.peer(peer), default: []].isEmpty { lanes.turns.append(.peer(peer)) }
                lanes.network[.peer(peer), default: []].append(work)
            case .clients:
                lanes.clients.append(work)
            }
        }
        queue.async { [self] in next()?() }
    }

    /// Items waiting, by lane kind: for tests and metrics.
    var waiting: (first: Int, network: Int, clients: Int) {
        lanes.withLockedValue { lanes in (lanes.first.count, lanes.network.values.reduce(0) { $0 + $1.count }, lanes.clients.count) }
    }

    private func next() -> Work? {
        lanes.withLockedValue { lanes in
            let othersWait = !lanes.turns.isEmpty || !lanes.clients.isEmpty
            if !lanes.first.isEmpty && (!lanes.firstRan || !othersWait) {
                lanes.firstRan = true
                return lanes.first.popFirst()
            }
            lanes.firstRan = false
            if !lanes.turns.isEmpty && (lanes.networkRun < Self.maxNetworkRun || lanes.clients.isEmpty) {
                if !lanes.clients.isEmpty { lanes.networkRun += 1 }
                return Self.nextNetworkItem(&lanes)
            }
            lanes.networkRun = 0
            return lanes.clients.popFirst() ?? Self.nextNetworkItem(&lanes)
        }
    }

    /// The next item of whoever's turn it is in the network's round; they go to the back of
    /// the round if they have more.
    private static func nextNetworkItem(_ lanes: inout Lanes) -> Work? {
        guard let who = lanes.turns.popFirst(), var items = lanes.network[who], let work = items.popFirst() else { return nil }
        if items.isEmpty {
            lanes.network[who] = nil
        } else {
            lanes.network[who] = items
            lanes.turns.append(who)
        }
        return work
    }
}
