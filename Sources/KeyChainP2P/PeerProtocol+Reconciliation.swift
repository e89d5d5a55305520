import KeyChainChain
import KeyChainCore
import KeyChainWire

// Put reconciliation, the safety net under outbound-only announcements (in the spirit of
// BIP330): every `reconciliationInterval` a node sends one ready peer (its outbound peers in
// turn) the short ids of its waiting puts; the peer answers with the ids it lacks and the
// txids the node lacks, and each side sends or fetches the rest. It mends lost announcements
// and reaches peers that no announcement goes to, in place of re-offering waiting puts to
// every peer.
extension PeerProtocol {
    /// Opens a round with the next outbound peer in turn (an inbound one if none is ready).
    func openReconciliation(_ actions: inout [ProtocolAction]) {
        lastReconciliation = clock()
        guard let state = nextPeer(in: &reconciliationTurn) else { return }
        let salt = random.next()
        let hasher = ReconcileMessage.shortIDHasher(salt: salt)
        var ids: [UInt64] = []
        var transactions: [UInt64: Hash256] = [:]
        for txid in blockchain.mempool.oldest(ReconcileMessage.maxShortIDs) {
            let id = ReconcileMessage.shortID(of: txid, hasher: hasher)
            // Two puts sharing an id in this round: the second waits for another salt.
            guard transactions.updateValue(txid, forKey: id) == nil else { continue }
            ids.append(id)
        }
        // A round still unanswered (its message lost, or its peer slow or silent) is replaced:
        // a late answer is ignored.
        openRound = ReconciliationRound(peer: state.id, salt: salt, transactions: transactions)
        actions.append(.send(state.id, .reconcile(ReconcileMessage(salt: salt, shortIDs: ids))))
    }

    /// Answers a peer's round: the ids this node lacks, and its waiting puts the round did not
    /// name. A peer gets at most one answer per half interval, since each costs a pass over
    /// the mempool; an earlier round is left unanswered.
    func answerReconciliation(_ message: ReconcileMessage, from state: PeerState, _ actions: inout [ProtocolAction]) {
        let now = clock()
        if let last = state.lastReconciliationAnswered, now < last + configuration.reconciliationInterval / 2 { return }
        state.lastReconciliationAnswered = now
        let hasher = ReconcileMessage.shortIDHasher(salt: message.salt)
        let theirs = Set(message.shortIDs)
        var mine = Set<UInt64>()
        var offered: [Hash256] = []
        for txid in blockchain.mempool.oldest(ReconcileMessage.maxShortIDs) {
            let id = ReconcileMessage.shortID(of: txid, hasher: hasher)
            mine.insert(id)
            if !theirs.contains(id) {
                guard offered.count < ReconcileDifferenceMessage.maxItems else { continue }
                offered.append(txid)
            }
            // Named by the round, or offered now: either way no announcement need follow.
            knownTransactions.insert(txid, slot: state.slot)
        }
        var wanted: [UInt64] = []
        var asked = Set<UInt64>()
        for id in message.shortIDs where !mine.contains(id) && asked.insert(id).inserted { wanted.append(id) }
        actions.append(.send(state.id, .reconcileDifference(ReconcileDifferenceMessage(salt: message.salt, wanted: wanted, offered: offered))))
    }

    /// Takes the answer to this node's open round with `state`: sends the puts it lacks (as
    /// many as a peer may have in flight; the next round sends the rest) and asks for those
    /// it offered as if it had announced them. An answer to no open round, or to a round
    /// since replaced by the next, is ignored.
    func takeReconciliationDifference(_ message: ReconcileDifferenceMessage, from state: PeerState, _ actions: inout [ProtocolAction]) {
        guard let round = openRound, round.peer == state.id, round.salt == message.salt else { return }
        openRound = nil
        var sent = 0
        for id in message.wanted where sent < configuration.maxTransactionsInFlightPerPeer {
            guard let txid = round.transactions[id], let transaction = blockchain.mempool.transaction(txid) else { continue }
            knownTransactions.insert(txid, slot: state.slot)
            actions.append(.send(state.id, .tx(TransactionMessage(transaction))))
            sent += 1
        }
        let wanted = takeAnnounced(message.offered, from: state)
        if !wanted.isEmpty { actions.append(.send(state.id, .getData(GetDataMessage(wanted)))) }
    }
}
