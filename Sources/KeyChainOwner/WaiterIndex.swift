import KeyChainCore

/// The clients' waits, indexed so that a chain update costs the owner work in proportion to
/// what it changed, not to what is waited on: each wait keeps the set of its txids still
/// pending, reached through the txid, and is evaluated whole only when that set empties; a
/// wait that then needs only depth waits in a heap by the height that answers it.
///
/// Bounded: at most `maxTxids` txids waited on across every connection and
/// `maxTxidsPerConnection` on one; a wait past either is refused (-32030), not queued.
struct WaiterIndex {
    static let maxTxids = 2_000_000
    static let maxTxidsPerConnection = 200_000

    private struct Entry {
        let waiter: Waiter
        /// Its txids the view shows pending.
        var undecided: Set<Hash256>
    }

    private var entries: [UInt64: Entry] = [:]
    private var byTxid: [Hash256: [UInt64]] = [:]
    /// Waits none of whose txids is pending, by the tip height at which they are deep enough.
    private var byDepth = DeadlineHeap<UInt64>()
    private var perConnection: [UInt64: Int] = [:]
    /// Txids waited on, across every wait.
    private(set) var txidCount = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// Why a wait on `count` txids from `connection` is refused now, if it is.
    func refusal(count: Int, connection: UInt64) -> NodeRequestError? {
        if txidCount + count > Self.maxTxids {
            return .overLimit("the node already waits on \(txidCount) txids for its clients (at most \(Self.maxTxids)); retry later")
        }
        let own = perConnection[connection, default: 0]
        if own + count > Self.maxTxidsPerConnection {
            return .overLimit("this connection already waits on \(own) txids (at most \(Self.maxTxidsPerConnection)); retry after they are answered")
        }
        return nil
    }

    /// Registers a wait the view does not answer yet.
    mutating func add(_ waiter: Waiter, in view: ChainView) {
        var undecided = Set<Hash256>()
        for txid in waiter.txids {
            byTxid[txid, default: []].append(waiter.id)
            if view.status(of: txid)?.state == .pending { undecided.insert(txid) }
        }
        entries[waiter.id] = Entry(waiter: waiter, undecided: undecided)
        perConnection[waiter.connection, default: 0] += waiter.txids.count
        txidCount += waiter.txids.count
        if undecided.isEmpty { waitForDepth(waiter, in: view) }
    }

    /// Forgets a wait (answered, expired or its client gone); returns it if it was registered.
    mutating func remove(_ id: UInt64) -> Waiter? {
        guard let entry = entries.removeValue(forKey: id) else { return nil }
        let waiter = entry.waiter
        for txid in waiter.txids {
            guard var ids = byTxid[txid] else { continue }
            ids.removeAll { $0 == id }
            byTxid[txid] = ids.isEmpty ? nil : ids
        }
        byDepth.cancel(id)
        txidCount -= waiter.txids.count
        let left = perConnection[waiter.connection, default: 0] - waiter.txids.count
        perConnection[waiter.connection] = left > 0 ? left : nil
        return waiter
    }

    /// Forgets a closed connection's waits; returns their ids.
    mutating func remove(connection: UInt64) -> [UInt64] {
        guard perConnection[connection] != nil else { return [] }
        let ids = entries.values.filter { $0.waiter.connection == connection }.map(\.waiter.id)
        for id in ids { _ = remove(id) }
        return ids
    }

    /// Forgets every wait; returns them.
    mutating func removeAll() -> [Waiter] {
        let waiters = entries.values.map(\.waiter)
        self = WaiterIndex()
        return waiters
    }

    /// The waits `view` now answers, removed, with their answers: those with a txid among
    /// `touched` (confirmed, unconfirmed, evicted or refused since the last call) and those
    /// deep enough at the view's height.
    mutating func settle(touched: some Sequence<Hash256>, in view: ChainView) -> [(Waiter, Result<[TransactionStatus], NodeRequestError>)] {
        var candidates: [UInt64] = []
        for txid in touched {
            guard let ids = byTxid[txid] else { continue }
            let pending = view.status(of: txid)?.state == .pending
            for id in ids {
                if pending {
                    entries[id]?.undecided.insert(txid)
                } else if entries[id]?.undecided.remove(txid) != nil || entries[id]?.undecided.isEmpty == true {
                    candidates.append(id)
                }
            }
        }
        candidates += byDepth.popDue(at: UInt64(view.height))
        var answers: [(Waiter, Result<[TransactionStatus], NodeRequestError>)] = []
        var seen = Set<UInt64>()
        for id in candidates where seen.insert(id).inserted {
            guard let entry = entries[id], entry.undecided.isEmpty else { continue }
            if let result = entry.waiter.evaluate(in: view) {
                _ = remove(id)
                answers.append((entry.waiter, result))
            } else {
                waitForDepth(entry.waiter, in: view)
            }
        }
        return answers
    }

    /// Files a wait none of whose txids is pending under the height that makes its confirmed
    /// ones deep enough (a txid the view shows pending again goes back to `undecided`).
    private mutating func waitForDepth(_ waiter: Waiter, in view: ChainView) {
        var highest: UInt32 = 0
        var undecided = Set<Hash256>()
        for txid in waiter.txids {
            guard let status = view.status(of: txid) else { continue }
            switch status.state {
            case .pending: undecided.insert(txid)
            case .confirmed: highest = max(highest, status.confirmation?.height ?? 0)
            case .rejected, .evicted, .unknown: break
            }
        }
        entries[waiter.id]?.undecided = undecided
        if undecided.isEmpty {
            byDepth.set(waiter.id, at: UInt64(highest) + UInt64(waiter.depth) - 1)
        } else {
            byDepth.cancel(waiter.id)
        }
    }
}
