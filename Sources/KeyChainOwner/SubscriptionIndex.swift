import KeyChainCore

/// The connections' subscriptions, indexed by txid so that a chain update notifies in
/// proportion to what it changed, not to what was ever subscribed: a followed put is looked at
/// when it is touched (accepted, confirmed, unconfirmed, evicted, refused) and, while it is
/// less than `depthHorizon` deep, at each new tip. (Every followed put was looked at on every
/// update before: a few subscriptions of 100,000 txids made each block cost the owner 10^5-10^6
/// lookups.)
///
/// Bounded: at most `maxTxidsPerConnection` txids followed on one connection and `maxTxids` in
/// all; a `subscribe` past either is refused (-32030).
struct SubscriptionIndex {
    static let maxTxids = 1_000_000
    static let maxTxidsPerConnection = 100_000
    /// The depth up to which a confirmed put's notifications follow its depth; past it the
    /// `tip` notifications give it (the tip's height less the put's, plus one).
    static let depthHorizon: UInt32 = 6

    private var connections: [UInt64: Subscription] = [:]
    private var byTxid: [Hash256: Set<UInt64>] = [:]
    /// Followed puts confirmed less than `depthHorizon` deep.
    private var deepening = Set<Hash256>()
    /// Txids followed, counted once per connection that follows them.
    private(set) var txidCount = 0

    var isEmpty: Bool { connections.isEmpty }

    /// Why following `txids` more on `connection` is refused now, if it is.
    func refusal(adding txids: [Hash256], connection: UInt64) -> NodeRequestError? {
        let followed = connections[connection]?.txids
        let added = followed.map { followed in Set(txids).count { followed[$0] == nil } } ?? Set(txids).count
        let own = followed?.count ?? 0
        if own + added > Self.maxTxidsPerConnection {
            return .overLimit("this connection would follow \(own + added) txids (at most \(Self.maxTxidsPerConnection))")
        }
        if txidCount + added > Self.maxTxids {
            return .overLimit("the node already follows \(txidCount) txids for its clients (at most \(Self.maxTxids)); retry later")
        }
        return nil
    }

    /// Adds to a connection's subscription (making one if it has none).
    mutating func subscribe(connection: UInt64, txids: [Hash256], tips: Bool, sink: @escaping @Sendable (ChainNotification) -> Void,
                            in view: ChainView) {
        var subscription = connections[connection] ?? Subscription(sink: sink)
        subscription.tips = subscription.tips || tips
        for txid in txids where subscription.txids[txid] == nil {
            let status = view.status(of: txid)
            // `updateValue`: assigning a nil state through the subscript would remove the txid.
            subscription.txids.updateValue(status?.state, forKey: txid)
            byTxid[txid, default: []].insert(connection)
            txidCount += 1
            if let status, status.state == .confirmed, status.depth < Self.depthHorizon { deepening.insert(txid) }
        }
        connections[connection] = subscription
    }

    /// Forgets a connection's subscription.
    mutating func unsubscribe(connection: UInt64) {
        guard let subscription = connections.removeValue(forKey: connection) else { return }
        for txid in subscription.txids.keys {
            byTxid[txid]?.remove(connection)
            if byTxid[txid]?.isEmpty == true {
                byTxid[txid] = nil
                deepening.remove(txid)
            }
        }
        txidCount -= subscription.txids.count
    }

    /// Forgets every subscription.
    mutating func removeAll() { self = SubscriptionIndex() }

    /// Notifies the followers of each touched put whose state changed (or that is confirmed
    /// and not yet `depthHorizon` deep), and with a new tip, the tips' followers and those of
    /// puts still gaining depth.
    mutating func notify(touched: Set<Hash256>, newTip: Bool, in view: ChainView) {
        guard !connections.isEmpty else { return }
        if newTip {
            let tip = ChainNotification.tip(height: view.height, hash: view.tip.hash)
            for subscription in connections.values where subscription.tips { subscription.sink(tip) }
        }
        for txid in touched where byTxid[txid] != nil { notify(txid, in: view) }
        if newTip {
            for txid in deepening where !touched.contains(txid) { notify(txid, in: view) }
        }
    }

    private mutating func notify(_ txid: Hash256, in view: ChainView) {
        guard let followers = byTxid[txid], let now = view.status(of: txid) else { return }
        for connection in followers {
            guard var subscription = connections[connection] else { continue }
            let last = subscription.txids[txid] ?? nil
            guard now.state != last || now.state == .confirmed else { continue }
            subscription.sink(.transaction(now))
            subscription.txids[txid] = now.state
            connections[connection] = subscription
        }
        if now.state == .confirmed && now.depth < Self.depthHorizon { deepening.insert(txid) } else { deepening.remove(txid) }
    }
}
