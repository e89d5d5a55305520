import KeyChainChain
import KeyChainCore
import KeyChainWire

/// One node's side of the peer protocol over its `Blockchain`: events in, actions out. Owns no
/// sockets and reads time only from the clock it is given, so a simulator can drive hundreds of
/// nodes on virtual time and a TCP transport can drive one for real.
public final class PeerProtocol {
    /// The protocol's numbers (DESIGN.md §6).
    public struct Configuration: Sendable {
        public var maxBlocksInFlightPerPeer = 16
        public var downloadWindow: UInt32 = 1_024
        public var transactionBatchInterval: UInt64 = 100
        public var antiEntropyInterval: UInt64 = 5_000
        public var initialStallTimeout: UInt64 = 2_000
        public var maxStallTimeout: UInt64 = 64_000
        /// How long a handshake may hang before `version` is sent again.
        public var handshakeRetry: UInt64 = 3_000
        /// Waiting puts re-offered to each peer at each anti-entropy round.
        public var mempoolReannouncement = 1_000
        /// Outbound connections kept open.
        public var outboundPeers = 8
        /// Inbound connections accepted; more are closed at once.
        public var maxInbound = 117
        /// A dial the transport has not answered by then counts as failed.
        public var dialTimeout: UInt64 = 10_000
        /// Address book size, dial backoff (1 s doubling to 64 s) and ban duration (24 h).
        public var addresses = AddressBook.Policy()
        /// An `addr` of at most this many entries is an announcement: its new addresses are
        /// passed on to `addressRelayFanout` peers. Larger ones answer a `getaddr` and stop here.
        public var maxRelayedAddr = 10
        public var addressRelayFanout = 2
        /// Addresses taken from one peer: a burst of 1,000 (a `getaddr` answer), then 0.1 a second.
        public var addressBurst = 1_000.0
        public var addressesPerSecond = 0.1
        /// Transactions asked of one peer and not yet delivered.
        public var maxTransactionsInFlightPerPeer = 5_000
        public init() {}
    }

    /// The chain this node follows.
    public let chain: Blockchain
    /// This process's random id (detects connections to oneself).
    public let nodeID: UInt64
    let listenPort: UInt16
    let configuration: Configuration
    let clock: @Sendable () -> UInt64
    var peers: [PeerID: PeerState] = [:]
    /// Every peer, and the ready ones, in id order: loops run over these (no lookups, and an
    /// order that does not depend on the process's hash seed, so simulations replay).
    private var ordered: [PeerState] = []
    private var ready: [PeerState] = []
    private var outboundOpen = 0
    /// Whether anything that decides block downloads changed since they were last scheduled.
    private var downloadsChanged = false
    /// Which peers have which transactions, and the free slots in it.
    private var knownTransactions = KnownInventory(capacity: 50_000)
    private var freeSlots = Array((0..<KnownInventory.slotCount).reversed())
    /// Peers with txids waiting for the next inv batch, in the order they got them.
    private var announcing: [PeerState] = []
    /// The earliest time a peer's anti-entropy round is due: until then, and with nothing in
    /// flight and every link ready, a tick need not visit the peers at all.
    private var timersDue: UInt64 = 0
    /// The earliest time a request in flight may have stalled.
    private var stallsDue: UInt64 = .max
    /// Header-only blocks to fetch, and who has been asked for which.
    var wanted: Set<Hash256> = []
    var blockRequests: [Hash256: PeerID] = [:]
    var transactionRequests: [Hash256: PeerID] = [:]
    private var lastTransactionBatch: UInt64 = 0
    /// The addresses this node knows, their dial schedule and the bans.
    public private(set) var addresses: AddressBook
    /// Dials not yet answered, and when they were made.
    private var pendingDials: [PeerAddress: UInt64] = [:]
    private var random: SeededGenerator

    /// A protocol instance for `chain`. `seed` drives its random choices (which addresses to
    /// dial): a simulation passes its own to replay exactly.
    public init(chain: Blockchain, nodeID: UInt64, listenPort: UInt16 = 0, configuration: Configuration = .init(),
                seed: UInt64 = .random(in: .min ... .max), clock: @escaping @Sendable () -> UInt64) {
        self.chain = chain
        self.nodeID = nodeID
        self.listenPort = listenPort
        self.configuration = configuration
        self.clock = clock
        addresses = AddressBook(policy: configuration.addresses, seed: seed)
        random = SeededGenerator(seed: ~seed)
    }

    /// Open outbound connections, and dials under way.
    public var outboundCount: Int { outboundOpen + pendingDials.count }
    /// Open inbound connections.
    public var inboundCount: Int { ordered.count - outboundOpen }
    /// The address each connected peer was dialled at or came from.
    public func address(of peer: PeerID) -> PeerAddress? { peers[peer]?.address }

    /// Peers that completed the handshake, in order.
    public var readyPeers: [PeerID] { ready.map(\.id) }

    /// Handles one event and returns what to do.
    public func handle(_ event: ProtocolEvent) -> [ProtocolAction] {
        var actions: [ProtocolAction] = []
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
            receive(message, from: state, &actions)
        case .tick:
            tick(&actions)
        case let .mined(block):
            do { relay(try chain.acceptBlock(block), except: nil, &actions) } catch {}
            downloadsChanged = true
        case let .submitted(transaction):
            if !chain.mempool.contains(transaction.id) {
                do { try chain.submit(transaction) } catch { break }
            }
            announce(transaction.id, except: nil)
        }
        scheduleDownloads(&actions)
        return actions
    }

    // MARK: - Messages

    private func receive(_ message: Message, from state: PeerState, _ actions: inout [ProtocolAction]) {
        let peer = state.id
        switch message {
        case let .version(version):
            guard version.genesis == chain.parameters.genesisHash else {
                actions.append(.send(peer, .reject(RejectMessage(rejectedCommand: VersionMessage.command, code: .wrongNetwork,
                                                                 reason: "this node follows network \(chain.parameters.genesisHash.short)"))))
                ban(peer, "peer follows another network", &actions)
                return
            }
            guard version.nodeID != nodeID else {
                // Never dial this address again, nor learn it from others.
                addresses.markOwn(state.outbound ? state.address : state.address.with(port: version.listenPort))
                disconnect(peer, "connected to itself", ban: false, &actions)
                return
            }
            if !state.outbound && version.listenPort != 0 {
                // The peer accepts connections: tell a few others, so that nodes learn of it
                // beyond the tracker.
                let listening = state.address.with(port: version.listenPort)
                state.listenAddress = listening
                if addresses.add(listening, lastSeen: clock()) { relay([listening.networkAddress(lastSeen: clock())], except: peer, &actions) }
            }
            let wasReady = state.isReady
            state.receivedVersion = true
            state.bestHeight = max(state.bestHeight, version.bestHeight)
            if !state.sentVersion { sendVersion(to: peer, &actions) }
            actions.append(.send(peer, .verack))  // again for a resent version: ours may be lost
            if !wasReady { becameReady(peer, &actions) }
        case .verack:
            let wasReady = state.isReady
            state.receivedVerack = true
            if !wasReady { becameReady(peer, &actions) }
        default:
            guard state.isReady else {
                disconnect(peer, "\(message.command) before the handshake", ban: false, &actions)
                return
            }
            receiveReady(message, from: state, &actions)
        }
    }

    private func receiveReady(_ message: Message, from state: PeerState, _ actions: inout [ProtocolAction]) {
        let peer = state.id
        switch message {
        case let .ping(ping):
            actions.append(.send(peer, .pong(PongMessage(nonce: ping.nonce))))
        case let .getHeaders(request):
            let headers = headersAfter(request.locator, stop: request.stop)
            state.knownBlocks.formUnion(headers.map(\.hash))
            actions.append(.send(peer, .headers(HeadersMessage(headers: headers))))
        case let .headers(message):
            receiveHeaders(message.headers, from: state, &actions)
        case let .getData(request):
            serve(request.inventory.items, to: state, &actions)
        case let .block(message):
            receiveBlock(message.block, from: state, &actions)
        case let .tx(message):
            let transaction = message.transaction
            knownTransactions.insert(transaction.id, slot: state.slot)
            state.transactionsInFlight[transaction.id] = nil
            transactionRequests[transaction.id] = nil
            do {
                try chain.submit(transaction)
                announce(transaction.id, except: peer)
            } catch {
                if error == .badSignature { ban(peer, "relayed a transaction with a bad signature", &actions) }
            }
        case let .inv(message):
            var wantedTransactions: [InventoryItem] = []
            var unknownBlock = false
            for item in message.inventory.items {
                switch item.kind {
                case .transaction:
                    knownTransactions.insert(item.hash, slot: state.slot)
                    // Capped per peer: an inv of made-up txids must not grow the requests
                    // without bound. What is skipped comes again (another peer's inv, or this
                    // one's re-offer at anti-entropy).
                    if state.transactionsInFlight.count < configuration.maxTransactionsInFlightPerPeer
                        && !chain.mempool.contains(item.hash) && !chain.keyIndex.contains(item.hash) && transactionRequests[item.hash] == nil {
                        transactionRequests[item.hash] = peer
                        let now = clock()
                        state.transactionsInFlight[item.hash] = now
                        stallsDue = min(stallsDue, now + configuration.initialStallTimeout)
                        wantedTransactions.append(item)
                    }
                case .block:
                    state.knownBlocks.insert(item.hash)
                    if chain.tree.node(item.hash) == nil { unknownBlock = true }
                }
            }
            // One getheaders however many unknown blocks the inv names.
            if unknownBlock { requestHeaders(from: state, &actions) }
            if !wantedTransactions.isEmpty { actions.append(.send(peer, .getData(GetDataMessage(wantedTransactions)))) }
        case let .notFound(message):
            downloadsChanged = true
            for item in message.inventory.items {
                if blockRequests[item.hash] == peer { blockRequests[item.hash] = nil }
                if transactionRequests[item.hash] == peer { transactionRequests[item.hash] = nil }
                state.blocksInFlight[item.hash] = nil
                state.transactionsInFlight[item.hash] = nil
            }
        case .getAddr:
            guard !state.answeredGetAddr else { break }
            state.answeredGetAddr = true
            let now = clock()
            let known = addresses.sample(AddrMessage.maxAddresses, now: now, excluding: state.listenAddress)
            actions.append(.send(peer, .addr(AddrMessage(known.map { $0.address.networkAddress(lastSeen: $0.lastSeen) }))))
        case let .addr(message):
            // A peer's clock may run ahead: nothing it says is fresher than now.
            let now = clock()
            // A token bucket per peer (0.1 addresses a second, up to 1,000, as Bitcoin Core):
            // a peer cannot fill the book, nor make the network relay a flood of addresses.
            let elapsed = Double(now - min(now, state.addressTokensAt)) / 1_000
            state.addressTokens = min(configuration.addressBurst, state.addressTokens + elapsed * configuration.addressesPerSecond)
            state.addressTokensAt = now
            var fresh: [NetworkAddress] = []
            for address in message.addresses {
                guard state.addressTokens >= 1 else { break }
                state.addressTokens -= 1
                if addresses.add(PeerAddress(address), lastSeen: min(address.lastSeen, now)) { fresh.append(address) }
            }
            // Each node passes an address on once, when it first learns it: the spread ends.
            if message.addresses.count <= configuration.maxRelayedAddr && !fresh.isEmpty { relay(fresh, except: peer, &actions) }
        case .pong, .reject, .version, .verack:
            break
        }
    }

    private func receiveHeaders(_ headers: [BlockHeader], from state: PeerState, _ actions: inout [ProtocolAction]) {
        let peer = state.id
        downloadsChanged = true
        for header in headers {
            let hash = header.hash
            state.knownBlocks.insert(hash)
            do {
                let node = try chain.acceptHeader(header)
                if node.status == .headerOnly { wanted.insert(hash); downloadsChanged = true }
                if node.height > state.bestHeight { state.bestHeight = node.height }
            } catch {
                switch error {
                case .unknownParent:
                    requestHeaders(from: state, &actions)
                    return
                case .timestampTooFarAhead:
                    return
                default:
                    ban(peer, "sent an invalid header: \(error)", &actions)
                    return
                }
            }
        }
        if headers.count == HeadersMessage.maxHeaders, let last = headers.last {
            actions.append(.send(peer, .getHeaders(GetHeadersMessage(locator: [last.hash] + chain.tree.locator()))))
        }
    }

    private func receiveBlock(_ block: Block, from state: PeerState, _ actions: inout [ProtocolAction]) {
        let peer = state.id
        downloadsChanged = true
        let hash = block.hash
        state.knownBlocks.insert(hash)
        state.blocksInFlight[hash] = nil
        if blockRequests[hash] == peer { blockRequests[hash] = nil }
        do {
            let update = try chain.acceptBlock(block)
            wanted.remove(hash)
            relay(update, except: peer, &actions)
        } catch {
            // A body that fails its header is refused, but the header stays wanted: an honest
            // peer may have the real body.
            if error.provesBlockInvalid { wanted.remove(hash) }
            if error.provesSenderMisbehaved {
                ban(peer, "sent an invalid block: \(error)", &actions)
            } else if case .unknownParent = error {
                requestHeaders(from: state, &actions)
            }
        }
    }

    private func serve(_ items: [InventoryItem], to state: PeerState, _ actions: inout [ProtocolAction]) {
        let peer = state.id
        var missing: [InventoryItem] = []
        for item in items {
            switch item.kind {
            case .block:
                if chain.tree.node(item.hash)?.hasData == true, let block = try? chain.block(item.hash) {
                    state.knownBlocks.insert(item.hash)
                    actions.append(.send(peer, .block(BlockMessage(block))))
                } else {
                    missing.append(item)
                }
            case .transaction:
                if let transaction = chain.mempool.transaction(item.hash) {
                    knownTransactions.insert(item.hash, slot: state.slot)
                    actions.append(.send(peer, .tx(TransactionMessage(transaction))))
                } else {
                    missing.append(item)
                }
            }
        }
        if !missing.isEmpty { actions.append(.send(peer, .notFound(NotFoundMessage(missing)))) }
    }

    // MARK: - Relay

    /// Announces newly connected blocks by header (at most the last 8) to every ready peer that
    /// does not know them.
    private func relay(_ update: ChainUpdate, except source: PeerID?, _ actions: inout [ProtocolAction]) {
        guard !update.connected.isEmpty else { return }
        if update.isReorganisation {
            // Puts the losing branch held are back in the mempool: spread them so they are mined.
            for transaction in chain.mempool.transactions { announce(transaction.id, except: nil) }
        }
        let headers = update.connected.suffix(HeadersMessage.maxAnnounced).compactMap { chain.tree.node($0)?.header }
        for state in ready where state.id != source {
            let unknown = headers.filter { !state.knownBlocks.contains($0.hash) }
            guard !unknown.isEmpty else { continue }
            state.knownBlocks.formUnion(unknown.map(\.hash))
            actions.append(.send(state.id, .headers(HeadersMessage(headers: unknown))))
        }
    }

    /// Passes announced addresses on to `addressRelayFanout` ready peers drawn at random.
    private func relay(_ addressList: [NetworkAddress], except source: PeerID, _ actions: inout [ProtocolAction]) {
        var others = ready.map(\.id).filter { $0 != source }
        for _ in 0..<min(configuration.addressRelayFanout, others.count) {
            let index = Int(random.next() % UInt64(others.count))
            others.swapAt(index, others.count - 1)
            actions.append(.send(others.removeLast(), .addr(AddrMessage(addressList))))
        }
    }

    /// Queues a txid for the next inv batch to every ready peer that does not know it.
    private func announce(_ txid: Hash256, except source: PeerID?) {
        var known = knownTransactions.slots(txid)
        let before = known
        for state in ready where state.id != source && !known.contains(state.slot) {
            known.insert(state.slot)
            if state.pendingAnnouncements.isEmpty { announcing.append(state) }
            state.pendingAnnouncements.append(txid)
        }
        if known != before { knownTransactions.set(txid, known) }
    }

    // MARK: - Timers and downloads

    private func tick(_ actions: inout [ProtocolAction]) {
        maintainConnections(&actions)
        let now = clock()
        if now >= lastTransactionBatch + configuration.transactionBatchInterval {
            lastTransactionBatch = now
            let batch = announcing
            announcing = []
            for state in batch where !state.pendingAnnouncements.isEmpty {
                let pending = state.pendingAnnouncements
                state.pendingAnnouncements = []
                for start in stride(from: 0, to: pending.count, by: InventoryList.maxItems) {
                    let slice = pending[start..<min(start + InventoryList.maxItems, pending.count)]
                    actions.append(.send(state.id, .inv(InvMessage(slice.map { InventoryItem(.transaction, $0) }))))
                }
            }
        }
        guard now >= timersDue || now > stallsDue || ready.count < ordered.count else { return }
        var nextDue = UInt64.max, nextStall = UInt64.max
        defer { (timersDue, stallsDue) = (nextDue, nextStall) }
        for state in ordered {
            let peer = state.id
            defer {
                nextDue = min(nextDue, state.lastAntiEntropy + configuration.antiEntropyInterval)
                for asked in state.blocksInFlight.values { nextStall = min(nextStall, asked + state.stallTimeout) }
                for asked in state.transactionsInFlight.values { nextStall = min(nextStall, asked + configuration.initialStallTimeout) }
            }
            if state.blocksInFlight.isEmpty && state.transactionsInFlight.isEmpty && state.isReady
                && now < state.lastAntiEntropy + configuration.antiEntropyInterval { continue }
            for (hash, asked) in state.blocksInFlight where now > asked + state.stallTimeout {
                // Stalled: ask someone else, and give this peer longer next time.
                state.blocksInFlight[hash] = nil
                blockRequests[hash] = nil
                state.stallTimeout = min(state.stallTimeout * 2, configuration.maxStallTimeout)
                downloadsChanged = true
            }
            for (hash, asked) in state.transactionsInFlight where now > asked + configuration.initialStallTimeout {
                state.transactionsInFlight[hash] = nil
                transactionRequests[hash] = nil
            }
            if state.isReady && now >= state.lastAntiEntropy + configuration.antiEntropyInterval {
                requestHeaders(from: state, &actions)
                // Re-offer the oldest waiting puts: an announcement or a fetch may have been
                // lost, and the txid was already marked as known on this link.
                let waiting = chain.mempool.transactions.prefix(configuration.mempoolReannouncement).map { InventoryItem(.transaction, $0.id) }
                if !waiting.isEmpty { actions.append(.send(peer, .inv(InvMessage(Array(waiting))))) }
            }
            if !state.isReady && now >= state.lastVersionSent + configuration.handshakeRetry {
                // A lost version or verack would leave the link half open for good.
                sendVersion(to: peer, &actions)
            }
        }
    }

    /// Asks peers for the bodies of header-only blocks, oldest first, within the window above
    /// the tip, at most 16 in flight per peer, each from a peer that has it.
    private func scheduleDownloads(_ actions: inout [ProtocolAction]) {
        guard downloadsChanged else { return }
        downloadsChanged = false
        guard !wanted.isEmpty else { return }
        let limit = chain.height + configuration.downloadWindow
        var pending: [(height: UInt32, hash: Hash256)] = []
        for hash in wanted {
            guard let node = chain.tree.node(hash), node.status == .headerOnly else {
                wanted.remove(hash)
                continue
            }
            if blockRequests[hash] == nil && node.height <= limit { pending.append((node.height, hash)) }
        }
        guard !pending.isEmpty else { return }
        pending.sort { ($0.height, $0.hash) < ($1.height, $1.hash) }
        var batches: [PeerID: [InventoryItem]] = [:]
        let now = clock()
        for item in pending {
            // Only a peer that announced or sent this block has it: a higher best height may
            // be on another branch.
            let candidates = ready.filter { $0.blocksInFlight.count < configuration.maxBlocksInFlightPerPeer && $0.knownBlocks.contains(item.hash) }
            guard let state = candidates.min(by: { $0.blocksInFlight.count < $1.blocksInFlight.count }) else { continue }
            state.blocksInFlight[item.hash] = now
            stallsDue = min(stallsDue, now + state.stallTimeout)
            blockRequests[item.hash] = state.id
            batches[state.id, default: []].append(InventoryItem(.block, item.hash))
        }
        for (peer, items) in batches.sorted(by: { $0.key < $1.key }) {
            actions.append(.send(peer, .getData(GetDataMessage(items))))
        }
    }

    // MARK: - Connections

    /// Takes a new connection, unless its host is banned or, for an inbound one, the inbound
    /// slots are full.
    private func accept(_ peer: PeerID, outbound: Bool, address: PeerAddress, _ actions: inout [ProtocolAction]) {
        let now = clock()
        if outbound { pendingDials[address] = nil }
        if let until = addresses.bannedUntil(address, now: now) {
            actions.append(.disconnect(peer, reason: "\(address.host) is banned for another \((until - now) / 1_000) s", ban: false))
            return
        }
        if !outbound && inboundCount >= configuration.maxInbound {
            actions.append(.disconnect(peer, reason: "all \(configuration.maxInbound) inbound slots are taken", ban: false))
            return
        }
        if let old = peers.removeValue(forKey: peer) { forget(old) }
        guard let slot = freeSlots.popLast() else {
            actions.append(.disconnect(peer, reason: "all \(KnownInventory.slotCount) peer slots are taken", ban: false))
            return
        }
        let state = PeerState(id: peer, slot: slot, outbound: outbound, address: address)
        peers[peer] = state
        ordered.insert(state, at: ordered.firstIndex { $0.id > peer } ?? ordered.count)
        if outbound {
            outboundOpen += 1
            sendVersion(to: peer, &actions)
        }
    }

    /// Dials addresses from the book until `outboundPeers` connections are open or under way,
    /// and gives up on dials the transport never answered.
    private func maintainConnections(_ actions: inout [ProtocolAction]) {
        let now = clock()
        for (address, dialled) in pendingDials where now >= dialled + configuration.dialTimeout {
            pendingDials[address] = nil
            addresses.failed(address, now: now)
        }
        let open = outboundCount
        guard open < configuration.outboundPeers else { return }
        var busy = Set(pendingDials.keys)
        for state in ordered {
            busy.insert(state.address)
            if let listening = state.listenAddress { busy.insert(listening) }
        }
        for address in addresses.candidates(configuration.outboundPeers - open, now: now, excluding: busy) {
            pendingDials[address] = now
            actions.append(.dial(address))
        }
    }

    // MARK: - Helpers

    private func sendVersion(to peer: PeerID, _ actions: inout [ProtocolAction]) {
        peers[peer]?.sentVersion = true
        peers[peer]?.lastVersionSent = clock()
        actions.append(.send(peer, .version(VersionMessage(genesis: chain.parameters.genesisHash, bestHeight: chain.height,
                                                            listenPort: listenPort, nodeID: nodeID, timestamp: clock()))))
    }

    private func becameReady(_ peer: PeerID, _ actions: inout [ProtocolAction]) {
        guard let state = peers[peer], state.isReady else { return }
        if state.outbound {
            addresses.succeeded(state.address, now: clock())
            // Learn more peers than the tracker named (asked of outbound peers only, whose
            // addresses this node chose).
            actions.append(.send(peer, .getAddr))
        }
        if !ready.contains(where: { $0 === state }) { ready.insert(state, at: ready.firstIndex { $0.id > peer } ?? ready.count) }
        downloadsChanged = true
        requestHeaders(from: state, &actions)
        // Tell the new peer about waiting transactions.
        for transaction in chain.mempool.transactions { announce(transaction.id, except: nil) }
    }

    private func requestHeaders(from state: PeerState, _ actions: inout [ProtocolAction]) {
        state.lastAntiEntropy = clock()
        timersDue = min(timersDue, state.lastAntiEntropy + configuration.antiEntropyInterval)
        actions.append(.send(state.id, .getHeaders(GetHeadersMessage(locator: chain.tree.locator()))))
    }

    /// Active-chain headers after the first locator hash this node has on its best chain.
    func headersAfter(_ locator: [Hash256], stop: Hash256) -> [BlockHeader] {
        let fork = locator.lazy.compactMap { self.chain.tree.isActive($0) ? self.chain.tree.node($0) : nil }.first
        var height = (fork?.height ?? 0) + 1
        var headers: [BlockHeader] = []
        while height <= chain.height && headers.count < HeadersMessage.maxHeaders {
            guard let node = chain.tree.activeNode(at: height) else { break }
            headers.append(node.header)
            if node.hash == stop { break }
            height += 1
        }
        return headers
    }

    private func ban(_ peer: PeerID, _ reason: String, _ actions: inout [ProtocolAction]) {
        if let state = peers[peer] { addresses.ban(state.address, now: clock()) }
        disconnect(peer, reason, ban: true, &actions)
    }

    private func disconnect(_ peer: PeerID, _ reason: String, ban: Bool, _ actions: inout [ProtocolAction]) {
        actions.append(.disconnect(peer, reason: reason, ban: ban))
        drop(peer)
    }

    private func drop(_ peer: PeerID) {
        guard let state = peers.removeValue(forKey: peer) else { return }
        forget(state)
        if state.outbound {
            // A link that never finished its handshake counts as a failed dial.
            if state.isReady { addresses.closed(state.address, now: clock()) } else { addresses.failed(state.address, now: clock()) }
        }
        for hash in state.blocksInFlight.keys where blockRequests[hash] == peer { blockRequests[hash] = nil }
        for hash in state.transactionsInFlight.keys where transactionRequests[hash] == peer { transactionRequests[hash] = nil }
    }

    /// Takes a peer's state out of the ordered lists and the counts.
    private func forget(_ state: PeerState) {
        ordered.removeAll { $0 === state }
        ready.removeAll { $0 === state }
        announcing.removeAll { $0 === state }
        knownTransactions.removeAll(slot: state.slot)
        freeSlots.append(state.slot)
        if state.outbound { outboundOpen -= 1 }
        downloadsChanged = true
    }
}
