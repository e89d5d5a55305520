import DequeModule
import Dispatch
import KeyChainP2P
import NIOConcurrencyHelpers

/// The messages waiting for the chain's owner, handed to it one at a time on its serial queue
/// (`handler`, set once the owner exists), from three kinds of lane (docs/ARCHITECTURE.md §5):
/// - **first**: the owner's timers, the transport's wiring, start and stop, strictly ahead of
///   everything: nothing outside the process posts here, and the timers come one wakeup at a
///   time. (Letting a peer's event in between two of them once let a `discovered` go before
///   the transport was wired: its dials were lost, and a syncing node waited out the 10 s dial
///   timeout before connecting at all.)
/// - **the network's round**: a lane per peer with that peer's batches (what one read of its
///   socket brought) in the order they came, since a peer's messages must be handled in order
///   (a `headers` before the `verack` it followed is a protocol violation), and a lane for the
///   miner's blocks. Those with work take turns, one item each per round, so a peer that floods
///   gets its share and no more (Bitcoin Core serves each peer one message per turn of its
///   loop): an honest peer's block waits behind at most one batch of each other peer. A block
///   the miner seals joins the round at its head, so it runs next, before any queued peer
///   batch and ahead of clients whatever their share (its miner idles meanwhile, and other
///   miners race it on its parent; held to the network's share of the time, a `--dev` node's
///   import fell from 19,000-24,000 puts/s to 10,000-12,000); but a backlog of them gets one
///   turn a round like anyone else's. With strict priority instead, a miner
///   that seals faster than the owner connects (three debug-build nodes at 12 bits seal dozens
///   a second each) had each node connect its own blocks ahead of its peers' headers: it learnt
///   of the others' chains ever later and all three mined chains of their own;
/// - **the clients' round**: a lane per connection with its writes, waits and queries in the
///   order posted (so one connection's requests take effect in order), connections taking
///   turns one item each, so a client that pipelines an import delays each other client by at
///   most one item.
/// While both the network and clients have work, they share the owner's time, the network
/// `networkShare` of it: each turn goes to the side that has used less of its share since the
/// two last had work together (measured by `clock`, so a heavy `submit_batch` counts as what it
/// costs, not as one item). A client's put under a flood of peer messages waits for the item
/// running and at most a few more, and a client import holds a peer's block for at most one
/// client item; neither side can shut the other out. (Counting items instead, a client waited
/// for 32 peer items under a flood: put p99 6-8x idle.)
final class OwnerMailbox<Message: Sendable>: Sendable {
    /// What runs a message: the owner's `handle`, entered on the queue.
    typealias Handler = @Sendable (Message) -> Void

    /// A message, or one lane's part of a barrier.
    private enum Item: Sendable {
        case message(Message)
        case barrier(BarrierCountdown)
    }

    /// Where an item waits.
    enum Lane: Sendable, Equatable {
        /// Ahead of everything: timers, the transport's wiring.
        case first
        /// The miner's blocks: in the network's round, joining it at its head.
        case miner
        /// One peer's lane (nil: network events of no peer, such as a failed dial).
        case peer(PeerID?)
        /// One client connection's lane (0: callers in this process).
        case client(UInt64)
    }

    /// Who takes a turn in the network's round.
    private enum Participant: Hashable {
        case miner
        case peer(PeerID?)
    }

    private struct Lanes {
        var handler: Handler?
        var first = Deque<Item>()
        var network = RoundRobinLanes<Participant, Item>()
        var clients = RoundRobinLanes<UInt64, Item>()
        /// The owner's time (nanoseconds) each side used since both last had work together.
        var networkUsed: UInt64 = 0
        var clientsUsed: UInt64 = 0
    }

    /// Which side an item came from, charged with its time.
    private enum Side { case first, network, clients }

    /// The network's share of the owner's time while clients also wait, in thirds: two thirds.
    static var networkShare: UInt64 { 2 }
    private let queue: DispatchQueue
    private let lanes = NIOLockedValueBox(Lanes())
    private let clock: @Sendable () -> UInt64

    /// A mailbox whose work runs on `queue`, timing each item by `clock` (nanoseconds).
    init(queue: DispatchQueue, clock: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) {
        self.queue = queue
        self.clock = clock
    }

    /// Where messages go from now on; posts before it wait for it.
    func open(handler: @escaping Handler) {
        let waiting = lanes.withLockedValue { lanes in
            lanes.handler = handler
            return lanes.first.count + lanes.network.count + lanes.clients.count
        }
        for _ in 0 ..< waiting { scheduleTurn() }
    }

    /// Queues `message` in `lane`. Each post schedules one turn on the queue and each turn
    /// hands over one item, chosen by the rules above, so every message is handled once.
    func post(_ lane: Lane, _ message: Message) {
        enqueue(.message(message), in: lane)
    }

    private func enqueue(_ work: Item, in lane: Lane) {
        let open = lanes.withLockedValue { lanes in
            switch lane {
            case .first: lanes.first.append(work)
            case .miner: lanes.network.append(work, from: .miner, first: true)
            case let .peer(peer): lanes.network.append(work, from: .peer(peer))
            case let .client(connection): lanes.clients.append(work, from: connection)
            }
            return lanes.handler != nil
        }
        if open { scheduleTurn() }
    }

    private func scheduleTurn() {
        queue.async { [self] in
            guard let (item, side, handler) = next() else { return }
            let started = clock()
            switch item {
            case let .message(message): handler(message)
            case let .barrier(countdown): countdown.arrive()
            }
            charge(side, clock() &- started)
        }
    }

    /// Calls `passed` once everything posted before it, in every lane, has been handled: a
    /// barrier item joins each lane with work waiting (and this process's client lane), and
    /// the last of them to be reached calls it (it must only hand over, as a reply does).
    func postBarrier(_ passed: @escaping @Sendable () -> Void) {
        let lanesToJoin: [Lane] = lanes.withLockedValue { lanes in
            var joined: [Lane] = lanes.first.isEmpty ? [] : [.first]
            for participant in lanes.network.senders {
                switch participant {
                case .miner: joined.append(.miner)
                case let .peer(peer): joined.append(.peer(peer))
                }
            }
            joined += lanes.clients.senders.map { Lane.client($0) }
            if !joined.contains(.client(0)) { joined.append(.client(0)) }
            return joined
        }
        let countdown = BarrierCountdown(parts: lanesToJoin.count, passed: passed)
        for lane in lanesToJoin { enqueue(.barrier(countdown), in: lane) }
    }

    /// Items waiting, by lane kind: for tests and metrics.
    var waiting: (first: Int, network: Int, clients: Int) {
        lanes.withLockedValue { lanes in (lanes.first.count, lanes.network.count, lanes.clients.count) }
    }

    private func next() -> (Item, Side, Handler)? {
        lanes.withLockedValue { lanes in
            guard let handler = lanes.handler, let (item, side) = Self.pick(&lanes) else { return nil }
            return (item, side, handler)
        }
    }

    private static func pick(_ lanes: inout Lanes) -> (Item, Side)? {
        if let work = lanes.first.popFirst() { return (work, .first) }
        if lanes.network.nextSender == .miner, let work = lanes.network.popNext() { return (work, .network) }
        if lanes.network.isEmpty || lanes.clients.isEmpty {
            // One side alone has the owner: nothing is banked for later.
            (lanes.networkUsed, lanes.clientsUsed) = (0, 0)
        }
        let clientsTurn = !lanes.clients.isEmpty
            && (lanes.network.isEmpty || lanes.clientsUsed * networkShare < lanes.networkUsed)
        if clientsTurn, let work = lanes.clients.popNext() { return (work, .clients) }
        return lanes.network.popNext().map { ($0, .network) }
    }

    private func charge(_ side: Side, _ nanoseconds: UInt64) {
        lanes.withLockedValue { lanes in
            switch side {
            case .first: break
            case .network: lanes.networkUsed &+= max(nanoseconds, 1)
            case .clients: lanes.clientsUsed &+= max(nanoseconds, 1)
            }
        }
    }
}
