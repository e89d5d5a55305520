import KeyChainChain
import KeyChainCore
import KeyChainMining
import KeyChainP2P
import KeyChainWire

/// Runs many nodes on virtual time, deterministically from a seed.
public final class Simulator {
    /// The network and the links.
    public struct Configuration: Sendable {
        public var nodes = 10
        /// Outbound connections each node keeps (sets `peer.outboundPeers`).
        public var outboundPeers = 8
        /// Addresses each node is given at start, as a tracker's `GET /peers?n=` would; it
        /// finds the rest by address exchange.
        public var trackerPeers = 50
        /// The protocol's numbers (bans, inbound cap, backoff, timers).
        public var peer = PeerProtocol.Configuration()
        public var latency: UInt64 = 50
        public var jitter: UInt64 = 20
        public var loss = 0.0
        /// Mean time between blocks across the whole network at the genesis target and the
        /// starting hash power, in ms: it sets the network's absolute hash rate.
        public var blockInterval: UInt64 = 1_000
        public var seed: UInt64 = 1
        public var tickInterval: UInt64 = 100
        /// Keep every message in `messageLog` (costs memory on big runs).
        public var recordMessages = false
        public init() {}
    }

    /// What was sent, counted by command.
    public var messagesSent: [String: Int] {
        var counts: [String: Int] = [:]
        for category in MessageCategory.allCases where sentCounts[category.rawValue] > 0 { counts[category.name] = sentCounts[category.rawValue] }
        return counts
    }
    private var sentCounts = [Int](repeating: 0, count: MessageCategory.allCases.count)
    private var sentByteCounts = [Int](repeating: 0, count: MessageCategory.allCases.count)

    /// Bytes sent (frames, headers included), counted by command.
    public var bytesSent: [String: Int] {
        var counts: [String: Int] = [:]
        for category in MessageCategory.allCases where sentByteCounts[category.rawValue] > 0 { counts[category.name] = sentByteCounts[category.rawValue] }
        return counts
    }
    /// When each block was mined, and when each node first had it connected.
    public private(set) var minedAt: [Hash256: UInt64] = [:]
    /// Which node mined each block, and at what height.
    public private(set) var minedBy: [Hash256: (node: Int, height: UInt32)] = [:]
    public private(set) var arrivals: [Hash256: [Int: UInt64]] = [:]
    /// Messages that moved each block (`blockMessages`' commands but `sendcmpct`, each
    /// charged to the block it names: the newest header of a `headers`, the first block of
    /// a `getdata` or `notfound`).
    public private(set) var messagesByBlock: [Hash256: Int] = [:]
    /// When each put was submitted, and when each node first held it (waiting, or in a block
    /// that became its tip).
    public private(set) var submittedAt: [Hash256: UInt64] = [:]
    public private(set) var putArrivals: [Hash256: [Int: UInt64]] = [:]
    /// Events processed.
    public private(set) var eventsProcessed = 0
    /// Every message sent, when `recordMessages` is on.
    public private(set) var messageLog: [SentMessage] = []
    /// Connections closed with a ban: (by, banned peer, reason).
    public private(set) var bans: [(by: Int, peer: Int, reason: String)] = []
    /// Every dial: when, by which node, to which.
    public private(set) var dials: [(time: UInt64, from: Int, to: Int)] = []

    /// One message on the wire.
    public struct SentMessage: Sendable {
        public let time: UInt64
        public let from: Int
        public let to: Int
        public let command: String
    }

    public let configuration: Configuration
    public let parameters: NetworkParameters
    private let genesisTarget: Target
    /// The network's frame magic.
    private let magic: UInt32
    public let clock: VirtualClock
    public private(set) var nodes: [SimulatedNode] = []
    /// Whether nodes mine.
    public var mining = true
    /// Mean time between blocks across the network at the genesis target and the starting
    /// hash power, in ms (the configuration's).
    public let blockInterval: UInt64
    /// The network's hash rate as a multiple of its starting one (`setHashPower`).
    public private(set) var hashPower = 1.0
    /// For each mined block, the mean time the whole network took for a block at its target
    /// and the hash power of that moment, ms: what a retargeting rule aims to hold at the
    /// block interval.
    public private(set) var expectedInterval: [Hash256: Double] = [:]

    private enum Event {
        /// A frame, as `Frame.encode` wrote it: what TCP would carry.
        case deliver(from: Int, to: Int, link: UInt32, frame: [UInt8])
        case tick(Int)
        /// A node's next block, if its mining schedule is still `epoch` (a new hash share
        /// replaces the schedule: the pending draw was made at the old rate).
        case mine(Int, epoch: UInt64)
        /// A dial reaches its target (which may be down, or take the connection).
        case dial(from: Int, to: Int)
        /// A dial is refused.
        case dialFailed(at: Int, address: PeerAddress)
        /// A node's template is due a refresh with the puts that arrived.
        case refresh(Int)
    }

    private var queue = EventQueue<Event>()
    private var miningEpochs: [UInt64] = []
    /// The target each node's pending mining draw was made for: a template at another target
    /// (a retargeting network's next block) draws again.
    private var drawnTargets: [Target?] = []
    /// Directed links, keyed `from * nodes + to`.
    private var links: [Int: Link] = [:]
    private var random: SeededGenerator
    private var partition: [Int: Int]?
    /// One direction of a link between two nodes.
    private struct Link {
        /// Connections opened and closed between the pair: a message sent on an earlier
        /// connection is dropped, as it would be with TCP.
        var epoch: UInt32 = 0
        /// When the last message sent this way arrives: links are FIFO, as TCP is.
        var clear: UInt64 = 0
    }
    private var ephemeralPort: UInt16 = 49_152
    /// Each node's tip when its arrivals were last recorded.
    private var lastTip: [Hash256] = []
    /// The header `hash(of:)` hashed last.
    private var lastHashed: (header: BlockHeader, hash: Hash256)?

    /// A network of `configuration.nodes` nodes with equal hash power, each dialling up to
    /// `outboundPeers` random others.
    public init(configuration: Configuration, parameters: NetworkParameters) throws {
        self.configuration = configuration
        self.parameters = parameters
        genesisTarget = parameters.target
        magic = Frame.magic(for: parameters.genesisHash)
        blockInterval = configuration.blockInterval
        clock = VirtualClock(start: parameters.createdAt + 1_000)
        random = SeededGenerator(seed: configuration.seed)
        let signatures = SignatureCache()
        var peerConfiguration = configuration.peer
        peerConfiguration.outboundPeers = configuration.outboundPeers
        for index in 0..<configuration.nodes {
            nodes.append(try SimulatedNode(index: index, hashShare: 1 / Double(configuration.nodes), parameters: parameters,
                                           configuration: peerConfiguration, seed: configuration.seed, clock: clock, signatures: signatures))
        }
        lastTip = Array(repeating: .zero, count: nodes.count)
        miningEpochs = Array(repeating: 0, count: nodes.count)
        drawnTargets = Array(repeating: nil, count: nodes.count)
        for index in nodes.indices {
            // Each node hears of a few others, as from the tracker, and dials on its own.
            perform(handle(.discovered(trackerAnswer(for: index)), at: index).actions, at: index)
            queue.push(.tick(index), at: clock.milliseconds + UInt64(index) % configuration.tickInterval)
            refreshMining(index)
            scheduleMining(index)
        }
    }

    /// Where node `index` listens.
    public static func address(of index: Int) -> PeerAddress {
        PeerAddress(ipv4: 10, UInt8(truncatingIfNeeded: index >> 16), UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index), port: 9_333)
    }

    /// The node at an address's host, if any.
    func node(at address: PeerAddress) -> Int? {
        let host = address.networkAddress(lastSeen: 0).address
        guard host.prefix(13) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10] else { return nil }
        let index = Int(host[13]) << 16 | Int(host[14]) << 8 | Int(host[15])
        return index < nodes.count ? index : nil
    }

    /// `trackerPeers` random other nodes' addresses.
    private func trackerAnswer(for index: Int) -> [PeerAddress] {
        var others = Array(nodes.indices).filter { $0 != index }
        var answer: [PeerAddress] = []
        while answer.count < configuration.trackerPeers && !others.isEmpty {
            let pick = Int(random.next() % UInt64(others.count))
            others.swapAt(pick, others.count - 1)
            answer.append(Self.address(of: others.removeLast()))
        }
        return answer
    }

    // MARK: - Control

    /// The current virtual time.
    public var now: UInt64 { clock.milliseconds }

    /// Runs events until virtual time `end` (or until none are left).
    public func run(until end: UInt64) {
        while let time = queue.nextTime(), time <= end, let event = queue.pop() {
            clock.set(event.time)
            eventsProcessed += 1
            process(event.payload)
        }
        clock.set(max(clock.milliseconds, end))
    }

    /// Runs for `duration` ms of virtual time.
    public func run(for duration: UInt64) { run(until: now + duration) }

    /// Connects two nodes now (the first dials), as if `a`'s protocol had asked to.
    public func connect(_ a: Int, _ b: Int) {
        guard a != b, nodes[a].isUp, nodes[b].isUp, !nodes[a].peers.contains(b) else { return }
        nodes[a].peers.insert(b)
        nodes[b].peers.insert(a)
        newEpoch(a, b)
        ephemeralPort = ephemeralPort == .max ? 49_152 : ephemeralPort + 1
        perform(handle(.connected(PeerID(UInt64(b)), outbound: true, address: Self.address(of: b)), at: a).actions, at: a)
        // The inbound side sees the dialler's host and an ephemeral port; it may refuse.
        guard nodes[b].peers.contains(a) else { return }
        perform(handle(.connected(PeerID(UInt64(a)), outbound: false, address: Self.address(of: a).with(port: ephemeralPort)), at: b).actions, at: b)
    }

    private func linkKey(_ from: Int, _ to: Int) -> Int { from &* nodes.count &+ to }

    /// A connection between `a` and `b` opened or closed: what is in flight on the old one is void.
    private func newEpoch(_ a: Int, _ b: Int) {
        links[linkKey(a, b), default: Link()].epoch &+= 1
        links[linkKey(b, a), default: Link()].epoch &+= 1
    }

    /// Closes the connection between `a` and `b`, telling `b` (`a` closed it itself).
    private func close(_ a: Int, _ b: Int) {
        nodes[a].peers.remove(b)
        guard nodes[b].peers.remove(a) != nil else { return }
        newEpoch(a, b)
        perform(handle(.disconnected(PeerID(UInt64(a))), at: b).actions, at: b)
    }

    /// Splits the network: messages cross only between nodes of the same group.
    public func partition(_ groups: [[Int]]) {
        var map: [Int: Int] = [:]
        for (group, members) in groups.enumerated() { for node in members { map[node] = group } }
        partition = map
    }

    /// Heals any partition.
    public func heal() { partition = nil }

    /// Crashes a node: it loses its memory (not its store) and its connections.
    public func crash(_ index: Int) {
        for peer in nodes[index].peers.sorted() { close(index, peer) }
        nodes[index].crash()
    }

    /// Restarts a crashed node from its store; it connects to `peers` at once, then dials
    /// others it hears of from the tracker.
    public func restart(_ index: Int, connectingTo peers: [Int]) throws {
        try nodes[index].restart()
        for peer in peers { connect(index, peer) }
        perform(handle(.discovered(trackerAnswer(for: index)), at: index).actions, at: index)
        queue.push(.tick(index), at: now + 1)
        refreshMining(index)
        scheduleMining(index)
    }

    /// Submits a put to a node as a client would; its miner takes it at the next refresh.
    public func submit(_ transaction: Transaction, at index: Int) {
        let waiting = nodes[index].chain.mempool.count
        submittedAt[transaction.id] = now
        putArrivals[transaction.id, default: [:]][index] = now
        perform(nodes[index].peerProtocol.handle(.submitted(transaction)).actions, at: index)
        if nodes[index].chain.mempool.count > waiting { scheduleRefresh(index) }
    }

    /// Has one node mine a block now, whatever the schedule: ends an equal-work tie, which the
    /// first-seen rule otherwise keeps.
    public func mine(at index: Int) {
        guard nodes[index].isUp else { return }
        seal(nodes[index].template ?? nodes[index].chain.makeTemplate(now: now), at: index)
    }

    /// Delivers `message` to `to` as if `from` had sent it (a misbehaving peer).
    public func inject(_ message: Message, from: Int, to: Int) {
        queue.push(.deliver(from: from, to: to, link: links[linkKey(from, to)]?.epoch ?? 0, frame: Frame.encode(message, magic: magic)),
                   at: now + configuration.latency)
    }

    /// Connects blocks straight into a node's chain (to set up a long chain quickly), telling
    /// none of its peers.
    public func preload(_ blocks: [Block], into index: Int) throws {
        try nodes[index].peerProtocol.preload(blocks)
    }

    /// Sets hash-power shares (they should sum to 1).
    public func setHashShares(_ shares: [Double]) {
        for (index, share) in shares.enumerated() where index < nodes.count {
            nodes[index].hashShare = share
            scheduleMining(index)
        }
    }

    /// Sets the network's hash rate to `factor` times its starting one, each node keeping its
    /// share: a big miner joining (10) or leaving (back to 1).
    public func setHashPower(_ factor: Double) {
        hashPower = max(factor, 0)
        for index in nodes.indices { scheduleMining(index) }
    }

    /// The distinct tips of running nodes.
    public var tips: Set<Hash256> { Set(nodes.filter(\.isUp).map { $0.chain.tip.hash }) }

    // MARK: - Events

    private func process(_ event: Event) {
        switch event {
        case let .deliver(from, to, link, frame):
            // The epoch also stands for "still connected": closing a link starts a new one.
            guard nodes[to].isUp, links[linkKey(from, to)]?.epoch ?? 0 == link else { return }
            // Each delivery is whole frames, cut and decoded by the transport's own decoder.
            var decoder = FrameDecoder(magic: magic, bytes: frame)
            let message: Message
            do {
                guard let decoded = try decoder.next() else { return }
                message = decoded
            } catch {
                perform(handle(.malformed(PeerID(UInt64(from)), reason: error.description), at: to).actions, at: to)
                return
            }
            let actions = handle(.received(PeerID(UInt64(from)), message), at: to).actions
            // Only a block (whole, or rebuilt from a compact one) can move a tip: look at the
            // tip then, not after every event.
            switch message {
            case .block, .compactBlock, .blockTransactions: recordArrivals(at: to)
            default: break
            }
            perform(actions, at: to)
        case let .dial(from, to):
            guard nodes[from].isUp else { return }
            if !nodes[to].isUp || nodes[from].peers.contains(to) {
                // Refused: the answer takes one more trip.
                queue.push(.dialFailed(at: from, address: Self.address(of: to)), at: now + configuration.latency)
            } else {
                connect(from, to)
            }
        case let .dialFailed(index, address):
            guard nodes[index].isUp else { return }
            perform(handle(.dialFailed(address), at: index).actions, at: index)
        case let .tick(index):
            guard nodes[index].isUp else { return }
            perform(handle(.tick, at: index).actions, at: index)
            queue.push(.tick(index), at: now + configuration.tickInterval)
        case let .mine(index, epoch):
            guard nodes[index].isUp, epoch == miningEpochs[index] else { return }
            // An idle miner (paused for a better block's body) finds nothing.
            if mining, let template = nodes[index].template { seal(template, at: index) }
            scheduleMining(index)
        case let .refresh(index):
            guard nodes[index].isUp, nodes[index].refreshDue != nil else { return }
            nodes[index].refreshDue = nil
            refreshMining(index)
        }
    }

    // MARK: - Mining, as a node's owner drives its miner

    /// One event at node `index`, handled as its owner handles a peer's: a block that extends
    /// the tip moves the miner once its checks pass, before it is stored and connected
    /// (`checkedTipExtension`); a chain update re-templates it; puts that arrived are taken at
    /// the next refresh; and the controller may pause the miner, resume it or send it back to
    /// the tip.
    private func handle(_ event: ProtocolEvent, at index: Int) -> ProtocolOutput {
        let node = nodes[index]
        if let block = node.peerProtocol.checkedTipExtension(in: event) { mineAhead(index, on: block) }
        let output = node.peerProtocol.handle(event)
        if !output.chainUpdates.isEmpty { refreshMining(index) }
        if !output.admitted.isEmpty {
            scheduleRefresh(index)
            for txid in output.admitted { recordPutArrival(txid, at: index) }
        }
        if Self.mayMoveMiner(event) || !output.chainUpdates.isEmpty, let work = node.miner.afterEvents(situation(index)) {
            give(work, to: index)
        }
        return output
    }

    /// Whether `event` can change what the miner's controller decides on (a better block
    /// awaited or not, the pause running out, the tip): only headers, blocks (compact ones and
    /// their missing puts too), `notfound`, ticks and lost connections can. The owner asks
    /// after every batch; a simulation of a thousand nodes asks only when the answer may
    /// differ (it spent a quarter of its time asking).
    private static func mayMoveMiner(_ event: ProtocolEvent) -> Bool {
        switch event {
        case .tick, .disconnected, .received(_, .headers), .received(_, .block), .received(_, .notFound),
             .received(_, .compactBlock), .received(_, .blockTransactions): true
        default: false
        }
    }

    /// Seals `template` at node `index`, as its owner takes its miner's block: stored and
    /// announced, the miner moved onto it, then connected.
    private func seal(_ template: BlockTemplate, at index: Int) {
        let node = nodes[index]
        let block = template.block(nonce: Self.solve(template.header, target: template.target))
        minedAt[block.hash] = now
        expectedInterval[block.hash] = meanInterval(at: template.target, share: 1)
        minedBy[block.hash] = (index, template.height)
        let sealed = node.peerProtocol.handle(.sealed(block))
        perform(sealed.actions, at: index)
        if sealed.refusal == nil { mineAhead(index, on: block) }
        let output = node.peerProtocol.handle(.mined(block))
        // Re-templated whether or not the chain moved: the solved template is spent.
        refreshMining(index)
        if let work = node.miner.afterConnecting(situation(index)) { give(work, to: index) }
        recordArrivals(at: index)
        perform(output.actions, at: index)
    }

    /// The node as its miner's controller sees it now (a network node always mines).
    private func situation(_ index: Int) -> MinerController.Situation {
        MinerController.Situation(awaitingBetterBlock: nodes[index].peerProtocol.awaitsBetterBlock, policyMines: true,
                                  tip: nodes[index].chain.tip.hash, now: now)
    }

    /// Points the miner at a fresh template on the tip, or idles it.
    private func refreshMining(_ index: Int) {
        give(nodes[index].miner.refresh(situation(index)), to: index)
    }

    /// Gives node `index`'s miner what its controller decided.
    private func give(_ work: MinerController.Work, to index: Int) {
        let node = nodes[index]
        switch work {
        case .idle:
            node.template = nil
        case .tip:
            let template = node.chain.makeTemplate(now: now)
            node.miner.templateMade(holding: template.transactions.count, waiting: node.chain.mempool.count)
            node.template = template
            redrawIfRetargeted(index)
        case .ahead:
            break  // `mineAhead` sets the template on the block itself
        }
    }

    /// Moves the miner onto `block`, a checked child of the tip not yet connected, when a
    /// template on it holds puts.
    private func mineAhead(_ index: Int, on block: Block) {
        let node = nodes[index]
        guard let template = node.chain.makeTemplate(extending: block, now: now),
              node.miner.bodyChecked(block.hash, templateHoldsPuts: !template.transactions.isEmpty, policyMines: true) != nil
        else { return }
        node.template = template
        redrawIfRetargeted(index)
    }

    /// A refresh of node `index`'s template after `refreshDelay`, unless one is due already or
    /// the template is full.
    private func scheduleRefresh(_ index: Int) {
        let node = nodes[index]
        guard node.refreshDue == nil, node.miner.refreshWanted else { return }
        node.refreshDue = now + Self.refreshDelay
        queue.push(.refresh(index), at: now + Self.refreshDelay)
    }

    /// How long puts wait before joining a miner's template: the node's own 100 ms.
    static let refreshDelay: UInt64 = 100

    /// Draws a node's next block time from the target it mines at, its share and the
    /// network's hash power, replacing any draw pending.
    private func scheduleMining(_ index: Int) {
        miningEpochs[index] += 1
        let node = nodes[index]
        let target = node.template?.target
            ?? parameters.target(afterHeight: node.chain.tip.height, parentTimestamp: node.chain.tip.header.timestamp)
        drawnTargets[index] = target
        guard node.hashShare > 0, hashPower > 0 else { return }
        let delay = random.exponential(mean: meanInterval(at: target, share: node.hashShare))
        queue.push(.mine(index, epoch: miningEpochs[index]), at: now + delay)
    }

    /// Draws again if node `index`'s template asks another target than its draw was made for:
    /// mining is memoryless, so only the rate matters, and on a fixed network it never changes.
    private func redrawIfRetargeted(_ index: Int) {
        guard let template = nodes[index].template, template.target != drawnTargets[index] else { return }
        scheduleMining(index)
    }

    /// The mean time `share` of the network's hash rate takes to meet `target`, ms.
    private func meanInterval(at target: Target, share: Double) -> Double {
        // Exactly the configured interval at the genesis target, as before targets could move.
        let work = target == genesisTarget ? 1 : Double(target.work.value) / Double(genesisTarget.work.value)
        return Double(blockInterval) * work / (share * hashPower)
    }

    private func perform(_ actions: [ProtocolAction], at index: Int) {
        for action in actions {
            switch action {
            case let .send(peer, message):
                let to = Int(peer.value)
                let frame = Frame.encode(message, magic: magic)
                let category = MessageCategory(message).rawValue
                sentCounts[category] += 1
                sentByteCounts[category] += frame.count
                if let block = blockMoved(by: message) { messagesByBlock[block, default: 0] += 1 }
                if configuration.recordMessages { messageLog.append(SentMessage(time: now, from: index, to: to, command: message.command)) }
                if let partition, partition[index] != partition[to] { continue }
                if configuration.loss > 0 && random.unit() < configuration.loss { continue }
                // latency ± jitter, uniformly, at least 1 ms.
                let spread = configuration.jitter > 0 ? Int64(random.next() % (2 * configuration.jitter + 1)) - Int64(configuration.jitter) : 0
                let delay = UInt64(max(1, Int64(configuration.latency) + spread))
                let key = linkKey(index, to)
                var link = links[key, default: Link()]
                link.clear = max(now + delay, link.clear)
                links[key] = link
                queue.push(.deliver(from: index, to: to, link: link.epoch, frame: frame), at: link.clear)
            case let .dial(address):
                // A partition swallows the dial: the protocol's own dial timeout ends it.
                guard let to = node(at: address) else { continue }
                dials.append((now, index, to))
                if let partition, partition[index] != partition[to] { continue }
                queue.push(.dial(from: index, to: to), at: now + configuration.latency)
            case let .disconnect(peer, reason, ban):
                let other = Int(peer.value)
                if ban { bans.append((index, other, reason)) }
                close(index, other)
            }
        }
    }

    /// The block a message moves, if it moves one.
    private func blockMoved(by message: Message) -> Hash256? {
        switch message {
        case let .headers(m): m.headers.last.map(hash(of:))
        case let .block(m): hash(of: m.block.header)
        case let .compactBlock(m): hash(of: m.header)
        case let .getBlockTransactions(m): m.block
        case let .blockTransactions(m): m.block
        case let .getData(m): m.inventory.items.first { $0.kind != .transaction }?.hash
        case let .notFound(m): m.inventory.items.first { $0.kind != .transaction }?.hash
        default: nil
        }
    }

    /// A header's hash, remembered for the next call: a node sends one block to each of its
    /// peers in a row, and hashing it for each send slowed a 1,000-node run by a tenth.
    private func hash(of header: BlockHeader) -> Hash256 {
        if let last = lastHashed, last.header == header { return last.hash }
        let hash = header.hash
        lastHashed = (header, hash)
        return hash
    }

    private func recordArrivals(at index: Int) {
        let tip = nodes[index].chain.tree.tipHash
        guard tip != lastTip[index] else { return }
        lastTip[index] = tip
        if arrivals[tip]?[index] == nil { arrivals[tip, default: [:]][index] = now }
        // A put may reach a node first inside a block (a compact block's prefilled puts).
        if !submittedAt.isEmpty, let block = try? nodes[index].chain.block(tip) {
            for transaction in block.transactions { recordPutArrival(transaction.id, at: index) }
        }
    }

    private func recordPutArrival(_ txid: Hash256, at index: Int) {
        guard submittedAt[txid] != nil, putArrivals[txid]?[index] == nil else { return }
        putArrivals[txid, default: [:]][index] = now
    }

    /// Mining time is modelled by the event schedule; the nonce itself is found at once (the
    /// simulated network runs at a tiny difficulty).
    static func solve(_ header: BlockHeader, target: Target) -> UInt64 {
        let search = ProofOfWork(header: header, target: target)
        var start: UInt64 = 0
        while true {
            let outcome = search.search(from: start, count: 1 << 16)
            if let found = outcome.found { return found.nonce }
            start &+= outcome.hashes
        }
    }
}
