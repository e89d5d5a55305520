import KeyChainChain
import KeyChainCore
import KeyChainWire

// What happens on each tick: inv batches, reconciliation, stalls, anti-entropy; and block downloads.
extension PeerProtocol {
    func tick(_ actions: inout [ProtocolAction]) {
        maintainConnections(&actions)
        let now = clock()
        if now >= lastTransactionBatch + configuration.transactionBatchInterval {
            lastTransactionBatch = now
            let batch = announcing
            announcing = []
            for state in batch where !state.pendingAnnouncements.isEmpty {
                let pending = state.pendingAnnouncements
                state.pendingAnnouncements = []
                if configuration.flooding {
                    for txid in pending {
                        if let transaction = blockchain.mempool.transaction(txid) { actions.append(.send(state.id, .tx(TransactionMessage(transaction)))) }
                    }
                    continue
                }
                for start in stride(from: 0, to: pending.count, by: InventoryList.maxItems) {
                    let slice = pending[start..<min(start + InventoryList.maxItems, pending.count)]
                    actions.append(.send(state.id, .inv(InvMessage(slice.map { InventoryItem(.transaction, $0) }))))
                }
            }
        }
        if !serving.isEmpty { serveQueuedBlocks(&actions) }
        if configuration.reconciliation {
            if now >= lastReconciliation + configuration.reconciliationInterval { openReconciliation(&actions) }
            requestHeadersIfTipIsStale(now: now, &actions)
        }
        guard now >= timersDue || now > stallsDue || ready.count < ordered.count else { return }
        var nextDue = UInt64.max, nextStall = UInt64.max
        defer { (timersDue, stallsDue) = (nextDue, nextStall) }
        for state in ordered {
            let peer = state.id
            defer {
                if !configuration.reconciliation { nextDue = min(nextDue, state.lastAntiEntropy + configuration.antiEntropyInterval) }
                nextDue = min(nextDue, state.pingNonce == nil ? state.lastReceived + configuration.pingInterval : state.pingSentAt + configuration.pingTimeout)
                for asked in state.blocksInFlight.values { nextStall = min(nextStall, asked + state.stallTimeout) }
                for asked in state.transactionsInFlight.values { nextStall = min(nextStall, asked + configuration.initialStallTimeout) }
            }
            // Not read by this node for now: nothing it sent can be late.
            if state.readingPaused { continue }
            if !state.isReady && now >= state.connectedAt + configuration.handshakeTimeout {
                disconnect(peer, "no handshake within \(configuration.handshakeTimeout / 1_000) s", ban: false, &actions)
                continue
            }
            if state.pingNonce != nil {
                if now >= state.pingSentAt + configuration.pingTimeout {
                    disconnect(peer, "no pong within \(configuration.pingTimeout / 1_000) s", ban: false, &actions)
                    continue
                }
            } else if state.isReady && now >= state.lastReceived + configuration.pingInterval {
                let nonce = random.next()
                state.pingNonce = nonce
                state.pingSentAt = now
                actions.append(.send(peer, .ping(PingMessage(nonce: nonce))))
            }
            let antiEntropyDue = !configuration.reconciliation && now >= state.lastAntiEntropy + configuration.antiEntropyInterval
            if state.blocksInFlight.isEmpty && state.transactionsInFlight.isEmpty && state.isReady && !antiEntropyDue { continue }
            for (hash, asked) in state.blocksInFlight where now > asked + state.stallTimeout {
                // Stalled: ask someone else, and give this peer longer next time. The block is
                // wanted again: one pushed as a compact block whose `blocktxn` was lost was
                // never in `wanted`, and was otherwise not asked for again by anyone.
                takeBack(hash, from: state, stalled: true)
            }
            for (hash, asked) in state.transactionsInFlight where now > asked + configuration.initialStallTimeout {
                state.transactionsInFlight[hash] = nil
                transactionRequests[hash] = nil
            }
            if state.isReady && antiEntropyDue {
                // The relay before reconciliation: an announcement or a fetch may have been
                // lost, and the txid was already marked as known on this link.
                requestHeaders(from: state, &actions)
                let waiting = blockchain.mempool.oldest(configuration.mempoolReannouncement).map { InventoryItem(.transaction, $0) }
                if !waiting.isEmpty { actions.append(.send(peer, .inv(InvMessage(Array(waiting))))) }
            }
            if !state.isReady && now >= state.lastVersionSent + configuration.handshakeRetry {
                // A lost version or verack would leave the link half open for good.
                sendVersion(to: peer, &actions)
            }
        }
    }

    /// Asks one ready peer (outbound ones in turn, else any) for headers when the tip has not
    /// moved for `antiEntropyInterval`, and again each interval while it stays put. Headers a
    /// node missed are otherwise found when the next announcement does not connect; only a
    /// quiet network needs this, so it costs nothing while blocks flow (it sent `getheaders`
    /// to every peer every 5 s: 3,750 a block in the 1,000-node simulation).
    func requestHeadersIfTipIsStale(now: UInt64, _ actions: inout [ProtocolAction]) {
        let tip = blockchain.tip.hash
        if tip != tipSeen {
            tipSeen = tip
            tipMovedAt = now
            return
        }
        guard now >= max(tipMovedAt, lastStaleTipRequest) + configuration.antiEntropyInterval else { return }
        lastStaleTipRequest = now
        // A block asked of a peer that long ago while the tip stood still is asked again, of
        // whoever has it: a lossy link's stall timeout grows to a minute, and one lost answer
        // held a node that long behind peers that all had the block.
        for state in ordered {
            for (hash, asked) in state.blocksInFlight where now >= asked + configuration.antiEntropyInterval {
                takeBack(hash, from: state, stalled: true)
            }
        }
        if let state = nextPeer(in: &staleTipTurn) { requestHeaders(from: state, &actions) }
    }

    /// Takes a block request back from `state` and wants the block again, of whoever has it;
    /// a peer that `stalled` is given longer next time (its timeout doubles, to the maximum).
    func takeBack(_ hash: Hash256, from state: PeerState, stalled: Bool) {
        state.blocksInFlight[hash] = nil
        if blockRequests[hash] == state.id { blockRequests[hash] = nil }
        if stalled { state.stallTimeout = min(state.stallTimeout * 2, configuration.maxStallTimeout) }
        wanted.insert(hash)
        downloadsChanged = true
    }

    /// Asks peers for the bodies of header-only blocks, oldest first, within the window above
    /// the tip, at most 16 in flight per peer, each from a peer that has it. A block on the tip
    /// is asked for as a compact block of a peer that takes them (BIP152's low-bandwidth
    /// mode: announced by header, fetched as short ids), unless one failed to rebuild.
    func scheduleDownloads(_ actions: inout [ProtocolAction]) {
        guard downloadsChanged else { return }
        downloadsChanged = false
        guard !wanted.isEmpty else { return }
        let limit = blockchain.height + configuration.downloadWindow
        var pending: [(height: UInt32, hash: Hash256)] = []
        for hash in wanted {
            guard let node = blockchain.tree.node(hash), node.status == .headerOnly else {
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
            // The least busy, and of those the one that stalled least: a block taken back from
            // a silent peer goes to another that has it.
            guard let state = candidates.min(by: { ($0.blocksInFlight.count, $0.stallTimeout) < ($1.blocksInFlight.count, $1.stallTimeout) })
            else { continue }
            state.blocksInFlight[item.hash] = now
            stallsDue = min(stallsDue, now + state.stallTimeout)
            blockRequests[item.hash] = state.id
            let compact = configuration.compactBlocks && state.takesCompactBlocks && !wholeOnly.contains(item.hash)
                && blockchain.tree.node(item.hash)?.header.previous == blockchain.tip.hash
            batches[state.id, default: []].append(InventoryItem(compact ? .compactBlock : .block, item.hash))
        }
        for (peer, items) in batches.sorted(by: { $0.key < $1.key }) {
            actions.append(.send(peer, .getData(GetDataMessage(items))))
        }
    }
}
