import DequeModule
import KeyChainCore

/// The puts admitted in the last moments, with the peer each came from (none for a local
/// one): a compact block sends these whole to every peer but their source, since an `inv`
/// sent a moment ago has not been answered by a `getdata` and a `tx` yet. Bounded by time.
struct RecentArrivals {
    /// How long a put counts as just arrived, in milliseconds.
    let window: UInt64
    private var order = Deque<(txid: Hash256, at: UInt64)>()
    private var sources: [Hash256: PeerID?] = [:]

    init(window: UInt64) { self.window = window }

    /// Records `txid`, admitted now from `source`.
    mutating func record(_ txid: Hash256, from source: PeerID?, now: UInt64) {
        forget(before: now)
        guard sources.updateValue(source, forKey: txid) == nil else { return }
        order.append((txid, now))
    }

    /// Whether `txid` arrived within the window from anyone but `peer`.
    mutating func isFresh(_ txid: Hash256, for peer: PeerID, now: UInt64) -> Bool {
        forget(before: now)
        guard let source = sources[txid] else { return false }
        return source != peer
    }

    private mutating func forget(before now: UInt64) {
        while let first = order.first, first.at + window < now {
            order.removeFirst()
            sources[first.txid] = nil
        }
    }
}
