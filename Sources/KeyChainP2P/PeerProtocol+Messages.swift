import KeyChainChain
import KeyChainCore
import KeyChainWire

// Answers to each message from a ready peer.
extension PeerProtocol {
    func receive(_ message: Message, from state: PeerState, _ actions: inout [ProtocolAction]) {
        let peer = state.id
        switch message {
        case let .version(version):
            guard version.genesis == blockchain.parameters.genesisHash else {
                actions.append(.send(peer, .reject(RejectMessage(rejectedCommand: VersionMessage.command, code: .wrongNetwork,
                                                                 reason: "this node follows network \(blockchain.parameters.genesisHash.short)"))))
                ban(peer, "peer follows another network (genesis \(version.genesis.hex)), not this node's (genesis \(blockchain.parameters.genesisHash.hex))", &actions)
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

    func receiveReady(_ message: Message, from state: PeerState, _ actions: inout [ProtocolAction]) {
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
                try blockchain.submit(transaction)
                admitted.append(transaction.id)
                recentArrivals.record(transaction.id, from: peer, now: clock())
                announce(transaction.id, except: peer)
            } catch {
                if error == .badSignature { return ban(peer, "relayed a transaction with a bad signature", &actions) }
            }
            requestAnnounced(from: state, &actions)
        case let .inv(message):
            var txids: [Hash256] = []
            var unknownBlock = false
            for item in message.inventory.items {
                switch item.kind {
                case .transaction:
                    txids.append(item.hash)
                case .block:
                    state.knownBlocks.insert(item.hash)
                    if blockchain.tree.node(item.hash) == nil { unknownBlock = true }
                case .compactBlock:
                    continue  // a kind to ask for, not to announce
                }
            }
            let wantedTransactions = takeAnnounced(txids, from: state)
            // One getheaders however many unknown blocks the inv names.
            if unknownBlock { requestHeaders(from: state, &actions) }
            if !wantedTransactions.isEmpty { actions.append(.send(peer, .getData(GetDataMessage(wantedTransactions)))) }
        case let .reconcile(message):
            answerReconciliation(message, from: state, &actions)
        case let .reconcileDifference(message):
            takeReconciliationDifference(message, from: state, &actions)
        case let .notFound(message):
            downloadsChanged = true
            for item in message.inventory.items {
                if blockRequests[item.hash] == peer { blockRequests[item.hash] = nil }
                if transactionRequests[item.hash] == peer { transactionRequests[item.hash] = nil }
                state.blocksInFlight[item.hash] = nil
                state.transactionsInFlight[item.hash] = nil
            }
            requestAnnounced(from: state, &actions)
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
        case let .pong(pong):
            if pong.nonce == state.pingNonce {
                state.pingNonce = nil
                state.pingMilliseconds = clock() - min(clock(), state.pingSentAt)
            }
        case .reject, .version, .verack:
            break
        case let .sendCompact(message):
            // A version this node does not speak is ignored, as BIP152 asks.
            guard configuration.compactBlocks, message.version == SendCompactMessage.currentVersion else { break }
            state.takesCompactBlocks = true
            state.wantsCompactBlocksPushed = message.highBandwidth
        case let .compactBlock(message):
            receiveCompactBlock(message, from: state, &actions)
        case let .getBlockTransactions(request):
            serveBlockTransactions(request, to: state, &actions)
        case let .blockTransactions(answer):
            receiveBlockTransactions(answer, from: state, &actions)
        }
    }

    func receiveHeaders(_ headers: [BlockHeader], from state: PeerState, _ actions: inout [ProtocolAction]) {
        let peer = state.id
        downloadsChanged = true
        for header in headers {
            let hash = header.hash
            state.knownBlocks.insert(hash)
            do {
                let node = try blockchain.acceptHeader(header)
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
            actions.append(.send(peer, .getHeaders(GetHeadersMessage(locator: [last.hash] + blockchain.tree.locator()))))
        }
    }

    func receiveBlock(_ block: Block, from state: PeerState, _ actions: inout [ProtocolAction]) {
        let peer = state.id
        downloadsChanged = true
        let hash = block.hash
        state.knownBlocks.insert(hash)
        if state.blocksInFlight.removeValue(forKey: hash) != nil {
            // A delivery earns back some of the patience stalls cost (Bitcoin Core decays its
            // stalling timeout by 0.85 the same way): with only doubling, a lossy link's
            // timeout reached 64 s, and one lost answer then held a node that long behind.
            state.stallTimeout = max(configuration.initialStallTimeout, state.stallTimeout * 85 / 100)
        }
        if blockRequests[hash] == peer { blockRequests[hash] = nil }
        do {
            let update = try blockchain.acceptBlock(block)
            wanted.remove(hash)
            if update.connected.last == hash { broughtNewTip(block, from: state, &actions) }
            relay(update, except: peer, &actions)
        } catch {
            // A body that fails its header is refused, but the header stays wanted: an honest
            // peer may have the real body.
            if error.provesBlockInvalid { wanted.remove(hash) }
            if case let .storage(reason) = error { storageFault = reason }
            if error.provesSenderMisbehaved {
                ban(peer, "sent an invalid block: \(error)", &actions)
            } else if case .unknownParent = error {
                requestHeaders(from: state, &actions)
            }
        }
    }

    func serve(_ items: [InventoryItem], to state: PeerState, _ actions: inout [ProtocolAction]) {
        let peer = state.id
        var missing: [InventoryItem] = []
        // Each item once: a getdata naming the tip a thousand times would otherwise cost a
        // thousand block reads and sends, and slowed this node's relay threefold.
        var seen = Set<InventoryItem>(minimumCapacity: items.count)
        var served = 0
        for item in items where seen.insert(item).inserted {
            switch item.kind {
            case .compactBlock:
                // Near the tip, as `cmpctblock` (BIP152); deeper, or unreadable, as a block.
                if let node = blockchain.tree.node(item.hash), node.hasData,
                   node.height + configuration.blockTransactionsDepth >= blockchain.height,
                   let block = try? blockchain.block(item.hash) {
                    state.knownBlocks.insert(item.hash)
                    let nonce = random.next()
                    let compact = compactBlock(block, for: state, nonce: nonce, shortIDs: CompactBlockMessage.shortIDs(of: block, nonce: nonce))
                    actions.append(.send(peer, .compactBlock(compact)))
                    continue
                }
                fallthrough
            case .block:
                guard blockchain.tree.node(item.hash)?.hasData == true else {
                    missing.append(item)
                    continue
                }
                // Past the slice, or behind requests already queued, it waits its turn.
                if served < configuration.blocksServedPerTurn && state.queuedBlockRequests.isEmpty {
                    if send(item.hash, to: state, &actions) { served += 1 } else { missing.append(item) }
                } else if state.queuedBlockRequests.count < configuration.maxQueuedBlockRequests {
                    if state.queuedBlockRequests.isEmpty { serving.append(state) }
                    state.queuedBlockRequests.append(item.hash)
                } else {
                    missing.append(item)
                }
            case .transaction:
                if let transaction = blockchain.mempool.transaction(item.hash) {
                    knownTransactions.insert(item.hash, slot: state.slot)
                    actions.append(.send(peer, .tx(TransactionMessage(transaction))))
                } else {
                    // The peer lacks it: it was announced, then mined here before the peer
                    // asked. Should a reorganisation bring it back to the mempool, this peer
                    // must hear of it again (`relay`), or only this node could mine it.
                    knownTransactions.remove(item.hash, slot: state.slot)
                    missing.append(item)
                }
            }
        }
        if !missing.isEmpty { actions.append(.send(peer, .notFound(NotFoundMessage(missing)))) }
    }

    /// Serves the next slice of each peer's queued block requests whose send backlog has room;
    /// on each tick.
    func serveQueuedBlocks(_ actions: inout [ProtocolAction]) {
        for state in serving where state.sendBacklog <= configuration.maxBacklogToServe {
            var missing: [InventoryItem] = []
            for _ in 0..<configuration.blocksServedPerTurn {
                guard let hash = state.queuedBlockRequests.popFirst() else { break }
                if !send(hash, to: state, &actions) { missing.append(InventoryItem(.block, hash)) }
            }
            if !missing.isEmpty { actions.append(.send(state.id, .notFound(NotFoundMessage(missing)))) }
        }
        serving.removeAll { $0.queuedBlockRequests.isEmpty }
    }

    /// Sends a stored block; false if it cannot be read.
    private func send(_ hash: Hash256, to state: PeerState, _ actions: inout [ProtocolAction]) -> Bool {
        guard let block = try? blockchain.block(hash) else { return false }
        state.knownBlocks.insert(hash)
        actions.append(.send(state.id, .block(BlockMessage(block))))
        return true
    }
}
