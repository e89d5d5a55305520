import KeyChainChain
import KeyChainCore
import KeyChainWire

/// One node's side of the peer protocol over its `Blockchain`: events in, actions out. Owns no
/// sockets and reads time only from the clock it is given, so a simulator can drive hundreds of
/// nodes on virtual time and a TCP transport can drive one for real. While the node runs, it
/// alone changes the chain; everyone else reads it through `chain`.
public final class PeerProtocol {
    /// The chain this node follows, changed only here.
    let blockchain: Blockchain
    /// The chain this node follows, to read.
    public let chain: ReadOnlyChain
    /// This process's random id (detects connections to oneself).
    public let nodeID: UInt64
    let listenPort: UInt16
    let configuration: Configuration
    let clock: @Sendable () -> UInt64
    var peers: [PeerID: PeerState] = [:]
    /// Every peer, and the ready ones, in id order: loops run over these (no lookups, and an
    /// order that does not depend on the process's hash seed, so simulations replay).
    var ordered: [PeerState] = []
    var ready: [PeerState] = []
    var outboundOpen = 0
    /// Whether anything that decides block downloads changed since they were last scheduled.
    var downloadsChanged = false
    /// Peers' puts admitted while handling the current event (`ProtocolOutput.admitted`).
    var admitted: [Hash256] = []
    /// Which peers have which transactions, and the free slots in it.
    var knownTransactions = KnownInventory(capacity: 50_000)
    var freeSlots = Array((0..<KnownInventory.slotCount).reversed())
    /// Peers with txids waiting for the next inv batch, in the order they got them.
    var announcing: [PeerState] = []
    /// Peers with block requests queued behind a slice (`PeerState.queuedBlockRequests`).
    var serving: [PeerState] = []
    /// The earliest time a peer's ping is due: until then, and with nothing in flight and
    /// every link ready, a tick need not visit the peers at all.
    var timersDue: UInt64 = 0
    /// The tip as of the last tick, since when it has not moved, and when headers were last
    /// asked for because it had not (`antiEntropyInterval`).
    var tipSeen: Hash256?
    var tipMovedAt: UInt64 = 0
    var lastStaleTipRequest: UInt64 = 0
    var staleTipTurn = 0
    /// When this node last opened a reconciliation round, and the turn of its peers.
    var lastReconciliation: UInt64 = 0
    /// The round awaiting its answer. One at a time: a round can name 50,000 puts, and one
    /// kept per peer that never answers would let silent peers hold that many times over.
    var openRound: ReconciliationRound?
    var reconciliationTurn = 0
    /// The earliest time a request in flight may have stalled.
    var stallsDue: UInt64 = .max
    /// Header-only blocks to fetch, and who has been asked for which.
    var wanted: Set<Hash256> = []
    var blockRequests: [Hash256: PeerID] = [:]
    var transactionRequests: [Hash256: PeerID] = [:]
    var lastTransactionBatch: UInt64 = 0
    /// The addresses this node knows, their dial schedule and the bans.
    public internal(set) var addresses: AddressBook
    /// Dials not yet answered, and when they were made.
    var pendingDials: [PeerAddress: UInt64] = [:]
    var random: SeededGenerator
    /// What accepted blocks did to the best chain during the event being handled.
    var chainUpdates: [ChainUpdate] = []
    /// A block this event could not store, for the output.
    var storageFault: String?
    /// The peers this node asked to push it compact blocks (at most 3, the latest to bring a
    /// new tip first), oldest first.
    var compactBlockSources: [PeerID] = []
    /// The puts admitted in the last `compactBlockPrefillWindow`, and from whom.
    var recentArrivals: RecentArrivals
    /// Blocks a compact block could not rebuild (a short id two puts share, or a merkle root
    /// that does not match): fetched whole from then on.
    var wholeOnly = RecentSet<Hash256>(capacity: 1_000)
    /// What `checkedTipExtension` did with a compact block or `blocktxn`, for the handling that
    /// follows it, so that nothing is done twice: the assembly it made from the mempool
    /// (complete or not), and the block it rebuilt and checked whole (merkle root included).
    var assembledAhead: CompactBlockAssembly?
    var rebuiltAhead: Block?

    /// A protocol instance for `chain`. `seed` drives its random choices (which addresses to
    /// dial): a simulation passes its own to replay exactly.
    public init(chain: Blockchain, nodeID: UInt64, listenPort: UInt16 = 0, configuration: Configuration = .init(),
                seed: UInt64 = .random(in: .min ... .max), clock: @escaping @Sendable () -> UInt64) {
        blockchain = chain
        self.chain = ReadOnlyChain(chain)
        self.nodeID = nodeID
        self.listenPort = listenPort
        self.configuration = configuration
        self.clock = clock
        addresses = AddressBook(policy: configuration.addresses, seed: seed)
        random = SeededGenerator(seed: ~seed)
        recentArrivals = RecentArrivals(window: configuration.compactBlockPrefillWindow)
    }

    /// Open outbound connections, and dials under way.
    public var outboundCount: Int { outboundOpen + pendingDials.count }
    /// Open inbound connections.
    public var inboundCount: Int { ordered.count - outboundOpen }
    /// The address each connected peer was dialled at or came from.
    public func address(of peer: PeerID) -> PeerAddress? { peers[peer]?.address }

    /// Every connected peer, in id order.
    public var summaries: [PeerSummary] {
        ordered.map { state in
            PeerSummary(id: state.id, address: state.address, listenAddress: state.listenAddress, outbound: state.outbound,
                        ready: state.isReady, bestHeight: state.bestHeight, pingMilliseconds: state.pingMilliseconds,
                        connectedAt: state.connectedAt, blocksInFlight: state.blocksInFlight.count)
        }
    }

    /// The highest best height a ready peer has announced (this node's own if none is higher).
    public var bestKnownHeight: UInt32 { ready.reduce(blockchain.height) { max($0, $1.bestHeight) } }

    /// Whether a block known only by its header would beat the tip: until its body arrives
    /// and connects, whatever this node mines on its tip is likely an orphan.
    public var awaitsBetterBlock: Bool {
        let tipWork = blockchain.tip.cumulativeWork
        return wanted.contains { blockchain.tree.node($0).map { $0.cumulativeWork > tipWork } ?? false }
    }

    /// Peers that completed the handshake, in order.
    public var readyPeers: [PeerID] { ready.map(\.id) }

    /// The block `event` brings from a ready peer, if it extends the tip and passes its header
    /// and body checks now: a miner may start on it (`ReadOnlyChain.makeTemplate(extending:)`)
    /// before `handle(event)`, called next, stores and connects it, which takes an fsync. This
    /// is that handling's first step taken alone (`Blockchain.checkBody`), not a second check:
    /// the store does not repeat it. Nil for any other event, and for a block that fails (the
    /// handling then refuses it, as it would have). A compact block counts when the mempool
    /// holds every put it names, and so does a `blocktxn` that completes the compact block
    /// this peer is being asked about: the handling takes what was assembled and checked here
    /// (the assembly too when puts are missing) rather than doing it again.
    public func checkedTipExtension(in event: ProtocolEvent) -> Block? {
        guard case let .received(peer, message) = event, peers[peer]?.isReady == true else { return nil }
        let block: Block
        var rebuilt = true
        switch message {
        case let .block(body):
            block = body.block
            rebuilt = false
        case let .compactBlock(compact):
            guard compact.header.previous == blockchain.tip.hash else { return nil }
            let assembly = try? CompactBlockAssembly(compact, candidates: blockchain.mempool.transactions)
            assembledAhead = assembly
            guard let complete = assembly?.block else { return nil }
            block = complete
        case let .blockTransactions(answer):
            guard let complete = completedAhead(by: answer, from: peer) else { return nil }
            block = complete
        default:
            return nil
        }
        guard block.header.previous == blockchain.tip.hash, blockchain.tree.node(block.hash)?.hasData != true else { return nil }
        do { try blockchain.checkBody(block) } catch { return nil }
        if rebuilt { rebuiltAhead = block }
        return block
    }

    /// Whether the store could take a full block now (after it failed to store one).
    public func probeStorage() throws(ChainError) {
        try blockchain.probeStorage()
    }

    /// Waits for the key index's database to record every update and flushes the store, at a
    /// clean shutdown.
    public func close() throws(ChainError) {
        try blockchain.close()
    }

    /// Connects `blocks` straight into the chain, telling no peer: to set up a simulation or a
    /// test before the node runs, never while it does.
    public func preload(_ blocks: [Block]) throws(BlockError) {
        for block in blocks { try blockchain.acceptBlock(block) }
    }

    /// Handles one event: returns what to do and what the event did to the chain.
    public func handle(_ event: ProtocolEvent) -> ProtocolOutput {
        var actions: [ProtocolAction] = []
        var refusal: ProtocolOutput.Refusal?
        switch event {
        case let .connected(peer, outbound, address):
            accept(peer, outbound: outbound, address: address, &actions)
        case let .disconnected(peer):
            drop(peer)
        case let .malformed(peer, reason):
            if peers[peer] != nil { ban(peer, "sent a malformed frame: \(reason)", &actions) }
        case let .dialFailed(address):
            if pendingDials.removeValue(forKey: address) != nil { addresses.failed(address, now: clock()) }
        case let .discovered(list):
            let now = clock()
            for address in list { addresses.add(address, lastSeen: now) }
            maintainConnections(&actions)
        case let .received(peer, message):
            guard let state = peers[peer] else { break }
            state.lastReceived = clock()
            receive(message, from: state, &actions)
        case let .backlog(peer, bytes):
            peers[peer]?.sendBacklog = bytes
            if peers[peer] != nil && bytes > configuration.maxSendBacklog {
                disconnect(peer, "does not read: \(bytes) bytes wait to be sent (limit \(configuration.maxSendBacklog))", ban: false, &actions)
            }
        case let .reading(peer, paused):
            guard let state = peers[peer] else { break }
            state.readingPaused = paused
            if !paused {
                // What it sent meanwhile was waiting here, not late: its deadlines start now.
                let now = clock()
                if state.pingNonce != nil { state.pingSentAt = now }
                for hash in state.blocksInFlight.keys { state.blocksInFlight[hash] = now }
                for hash in state.transactionsInFlight.keys { state.transactionsInFlight[hash] = now }
            }
        case .tick:
            tick(&actions)
        case let .sealed(block):
            do {
                // Uncompressed: the announcement waits for the fsync, and every other miner works
                // on the old tip until it comes. Compressing a full block took 45-150 ms of that
                // wait on a busy machine; storing it at full size costs a few. Only the blocks
                // a node seals itself take the extra disk (about 1.4x): a share of its chain
                // among several miners, all of it for a sole miner or a --dev node.
                let node = try blockchain.store(block, compressed: false)
                // Only a block that will be the tip: one that lost a race is not news.
                if node.cumulativeWork > blockchain.tip.cumulativeWork { announceHeaders([(node.hash, node.header)], tip: block, except: nil, &actions) }
            } catch {
                refusal = .block(error)
                if case let .storage(reason) = error { storageFault = reason }
            }
        case let .mined(block):
            do { relay(try blockchain.acceptBlock(block), except: nil, &actions) } catch {
                refusal = .block(error)
                if case let .storage(reason) = error { storageFault = reason }
            }
            downloadsChanged = true
        case let .submitted(transaction):
            do {
                try blockchain.submit(transaction)
                recentArrivals.record(transaction.id, from: nil, now: clock())
                announce(transaction.id, except: nil)
            } catch {
                refusal = .transaction(error)
            }
        }
        scheduleDownloads(&actions)
        var output = ProtocolOutput()
        output.actions = actions
        output.refusal = refusal
        output.storageFault = storageFault
        storageFault = nil
        if !admitted.isEmpty {
            output.admitted = admitted
            admitted = []
        }
        if !chainUpdates.isEmpty {
            output.chainUpdates = chainUpdates
            chainUpdates = []
        }
        return output
    }

    // MARK: - Helpers

    func sendVersion(to peer: PeerID, _ actions: inout [ProtocolAction]) {
        peers[peer]?.sentVersion = true
        peers[peer]?.lastVersionSent = clock()
        actions.append(.send(peer, .version(VersionMessage(genesis: blockchain.parameters.genesisHash, bestHeight: blockchain.height,
                                                            listenPort: listenPort, nodeID: nodeID, timestamp: clock()))))
    }

    func becameReady(_ peer: PeerID, _ actions: inout [ProtocolAction]) {
        guard let state = peers[peer], state.isReady else { return }
        if state.outbound {
            addresses.succeeded(state.address, now: clock())
            // Learn more peers than the tracker named (asked of outbound peers only, whose
            // addresses this node chose).
            actions.append(.send(peer, .getAddr))
        }
        if !ready.contains(where: { $0 === state }) { ready.insert(state, at: ready.firstIndex { $0.id > peer } ?? ready.count) }
        downloadsChanged = true
        // Compact blocks announced, not pushed, until the peer brings a new tip first.
        if configuration.compactBlocks { actions.append(.send(peer, .sendCompact(SendCompactMessage(highBandwidth: false)))) }
        requestHeaders(from: state, &actions)
        // Tell the new peer about waiting transactions.
        for transaction in blockchain.mempool.transactions { announce(transaction.id, except: nil) }
    }

    /// The next ready peer in `turn`, outbound ones only while any is ready: rounds of
    /// reconciliation and anti-entropy go to the peers this node chose, one at a time.
    func nextPeer(in turn: inout Int) -> PeerState? {
        let outbound = ready.filter(\.outbound)
        let candidates = outbound.isEmpty ? ready : outbound
        guard !candidates.isEmpty else { return nil }
        turn &+= 1
        return candidates[turn % candidates.count]
    }

    func requestHeaders(from state: PeerState, _ actions: inout [ProtocolAction]) {
        state.lastAntiEntropy = clock()
        if !configuration.reconciliation { timersDue = min(timersDue, state.lastAntiEntropy + configuration.antiEntropyInterval) }
        actions.append(.send(state.id, .getHeaders(GetHeadersMessage(locator: blockchain.tree.locator()))))
    }

    /// Active-chain headers after the first locator hash this node has on its best chain.
    func headersAfter(_ locator: [Hash256], stop: Hash256) -> [BlockHeader] {
        let fork = locator.lazy.compactMap { self.blockchain.tree.isActive($0) ? self.blockchain.tree.node($0) : nil }.first
        var height = (fork?.height ?? 0) + 1
        var headers: [BlockHeader] = []
        while height <= blockchain.height && headers.count < HeadersMessage.maxHeaders {
            guard let node = blockchain.tree.activeNode(at: height) else { break }
            headers.append(node.header)
            if node.hash == stop { break }
            height += 1
        }
        return headers
    }

    func ban(_ peer: PeerID, _ reason: String, _ actions: inout [ProtocolAction]) {
        // As Bitcoin Core does for local peers: banning the loopback host would shut out every
        // other process on this machine (a devnet's nodes), so a local offender is only cut off.
        guard let state = peers[peer], !state.address.isLoopback || configuration.banLoopback else {
            return disconnect(peer, reason, ban: false, &actions)
        }
        addresses.ban(state.address, now: clock())
        disconnect(peer, reason, ban: true, &actions)
    }

    func disconnect(_ peer: PeerID, _ reason: String, ban: Bool, _ actions: inout [ProtocolAction]) {
        actions.append(.disconnect(peer, reason: reason, ban: ban))
        drop(peer)
    }

    func drop(_ peer: PeerID) {
        guard let state = peers.removeValue(forKey: peer) else { return }
        forget(state)
        if state.outbound {
            // A link that never finished its handshake counts as a failed dial.
            if state.isReady { addresses.closed(state.address, now: clock()) } else { addresses.failed(state.address, now: clock()) }
        }
        for hash in state.blocksInFlight.keys where blockRequests[hash] == peer { blockRequests[hash] = nil }
        for hash in state.transactionsInFlight.keys where transactionRequests[hash] == peer { transactionRequests[hash] = nil }
        compactBlockSources.removeAll { $0 == peer }
    }

    /// Takes a peer's state out of the ordered lists and the counts.
    func forget(_ state: PeerState) {
        ordered.removeAll { $0 === state }
        ready.removeAll { $0 === state }
        announcing.removeAll { $0 === state }
        serving.removeAll { $0 === state }
        knownTransactions.removeAll(slot: state.slot)
        freeSlots.append(state.slot)
        if state.outbound { outboundOpen -= 1 }
        downloadsChanged = true
    }
}
