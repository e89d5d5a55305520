import KeyChainChain
import KeyChainCore
import KeyChainWire

// Spreading blocks, puts and addresses to the peers that lack them.
extension PeerProtocol {
    /// Announces newly connected blocks by header (at most the last 8) to every ready peer that
    /// does not know them.
    func relay(_ update: ChainUpdate, except source: PeerID?, _ actions: inout [ProtocolAction]) {
        if !update.connected.isEmpty || !update.disconnected.isEmpty || !update.evicted.isEmpty || !update.invalidated.isEmpty {
            chainUpdates.append(update)
        }
        guard !update.connected.isEmpty else { return }
        if update.isReorganisation {
            // Puts the losing branch held are back in the mempool: spread them so they are mined.
            for transaction in blockchain.mempool.transactions { announce(transaction.id, except: nil) }
        }
        // The update carries the hashes: none is recomputed per peer.
        let announced = update.connected.suffix(HeadersMessage.maxAnnounced).compactMap { hash in blockchain.tree.node(hash).map { (hash, $0.header) } }
        let tip = update.connected.last.flatMap { try? blockchain.block($0) }
        announceHeaders(announced, tip: tip, except: source, &actions)
    }

    /// Sends each ready peer but `source` the headers it is not known to have, in one message;
    /// or, when all it lacks is `tip` (the newest of them, whole), `tip` as a compact block if
    /// the peer takes them and asked for them pushed, or the compact block is small.
    func announceHeaders(_ announced: [(Hash256, BlockHeader)], tip: Block?, except source: PeerID?, _ actions: inout [ProtocolAction]) {
        // One nonce for the block, its txids hashed once for every peer that takes it.
        var shortIDs: (nonce: UInt64, ids: [UInt64])?
        for state in ready where state.id != source {
            let unknown = announced.filter { !state.knownBlocks.contains($0.0) }
            guard !unknown.isEmpty else { continue }
            state.knownBlocks.formUnion(unknown.map(\.0))
            if configuration.flooding, let tip, unknown.count == 1, unknown[0].0 == tip.hash {
                actions.append(.send(state.id, .block(BlockMessage(tip))))
                continue
            }
            if let tip, state.takesCompactBlocks, unknown.count == 1, unknown[0].0 == tip.hash {
                if shortIDs == nil {
                    let nonce = random.next()
                    shortIDs = (nonce, CompactBlockMessage.shortIDs(of: tip, nonce: nonce))
                }
                guard let (nonce, ids) = shortIDs else { continue }
                let compact = compactBlock(tip, for: state, nonce: nonce, shortIDs: ids)
                if state.wantsCompactBlocksPushed || compact.encodedSize <= configuration.compactBlockPushBytes {
                    actions.append(.send(state.id, .compactBlock(compact)))
                    continue
                }
            }
            actions.append(.send(state.id, .headers(HeadersMessage(headers: unknown.map(\.1)))))
        }
    }

    /// Passes announced addresses on to `addressRelayFanout` ready peers drawn at random.
    func relay(_ addressList: [NetworkAddress], except source: PeerID, _ actions: inout [ProtocolAction]) {
        var others = ready.map(\.id).filter { $0 != source }
        for _ in 0..<min(configuration.addressRelayFanout, others.count) {
            let index = Int(random.next() % UInt64(others.count))
            others.swapAt(index, others.count - 1)
            actions.append(.send(others.removeLast(), .addr(AddrMessage(addressList))))
        }
    }

    /// Queues a txid for the next inv batch to every ready outbound peer that does not know it
    /// (to every ready peer while none is outbound). Inbound peers learn of it when they
    /// reconcile with this node, as Erlay leaves them out of flooding: each put then crosses
    /// each link about once, not once each way.
    func announce(_ txid: Hash256, except source: PeerID?) {
        var known = knownTransactions.slots(txid)
        let before = known
        let outboundOnly = configuration.reconciliation && ready.contains(where: \.outbound)
        for state in ready where state.id != source && !known.contains(state.slot) && (state.outbound || !outboundOnly) {
            known.insert(state.slot)
            if state.pendingAnnouncements.isEmpty { announcing.append(state) }
            state.pendingAnnouncements.append(txid)
        }
        if known != before { knownTransactions.set(txid, known) }
    }

    /// Whether a txid is worth asking for: not waiting, not confirmed, not asked of anyone.
    func wantsTransaction(_ txid: Hash256) -> Bool {
        !blockchain.mempool.contains(txid) && (try? blockchain.keyIndex.isConfirmed(txid)) != true && transactionRequests[txid] == nil
    }

    /// Takes txids `state` announced (by `inv`, or offered when reconciling) and returns those
    /// to ask it for now. Capped per peer: an inv of made-up txids must not grow the requests
    /// without bound. Beyond the cap a txid waits in the peer's bounded queue and is asked for
    /// as earlier requests are answered; beyond the queue it comes again (another peer's inv,
    /// or the next reconciliation).
    func takeAnnounced(_ txids: [Hash256], from state: PeerState) -> [InventoryItem] {
        var wanted: [InventoryItem] = []
        for txid in txids {
            knownTransactions.insert(txid, slot: state.slot)
            guard wantsTransaction(txid) else { continue }
            if state.transactionsInFlight.count < configuration.maxTransactionsInFlightPerPeer {
                request(txid, from: state)
                wanted.append(InventoryItem(.transaction, txid))
            } else if state.announcedTransactions.count < configuration.maxTransactionAnnouncementsPerPeer {
                state.announcedTransactions.append(txid)
            }
        }
        return wanted
    }

    func request(_ txid: Hash256, from state: PeerState) {
        transactionRequests[txid] = state.id
        let now = clock()
        state.transactionsInFlight[txid] = now
        stallsDue = min(stallsDue, now + configuration.initialStallTimeout)
    }

    /// Asks `state` for queued txids it announced once its requests in flight have fallen
    /// to half the cap: one `getdata` for many, not one per `tx` that arrives.
    func requestAnnounced(from state: PeerState, _ actions: inout [ProtocolAction]) {
        let cap = configuration.maxTransactionsInFlightPerPeer
        guard !state.announcedTransactions.isEmpty, state.transactionsInFlight.count <= cap / 2 else { return }
        var wanted: [InventoryItem] = []
        while state.transactionsInFlight.count < cap, let txid = state.announcedTransactions.popFirst() {
            guard wantsTransaction(txid) else { continue }
            request(txid, from: state)
            wanted.append(InventoryItem(.transaction, txid))
        }
        if !wanted.isEmpty { actions.append(.send(state.id, .getData(GetDataMessage(wanted)))) }
    }
}
