import KeyChainCore

/// Which peers are known to have which transactions (they sent or announced it to us, or we to
/// them): one entry per txid holding a bit per peer slot, not one set per peer, so announcing a
/// put to all peers costs one lookup instead of one per link. Bounded like `RecentSet`: two
/// generations of at least `capacity` txids each; forgetting an old one costs at most a
/// repeated announcement, which the peer ignores.
struct KnownInventory {
    /// A set of peer slots (0..<128).
    struct Slots: Equatable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        func contains(_ slot: Int) -> Bool { slot < 64 ? low & (1 << slot) != 0 : high & (1 << (slot - 64)) != 0 }
        mutating func insert(_ slot: Int) { if slot < 64 { low |= 1 << slot } else { high |= 1 << (slot - 64) } }
        mutating func remove(_ slot: Int) { if slot < 64 { low &= ~(1 << slot) } else { high &= ~(1 << (slot - 64)) } }
    }

    /// Peer slots available.
    static let slotCount = 128

    private var current: [Hash256: Slots] = [:]
    private var previous: [Hash256: Slots] = [:]
    let capacity: Int

    init(capacity: Int) { self.capacity = max(capacity, 1) }

    /// The peers known to have `txid`.
    func slots(_ txid: Hash256) -> Slots { current[txid] ?? previous[txid] ?? Slots() }

    /// Records that the peers in `slots` have `txid`.
    mutating func set(_ txid: Hash256, _ slots: Slots) {
        current[txid] = slots
        if current.count >= capacity {
            previous = current
            current = [:]
        }
    }

    /// Records that the peer in `slot` has `txid`.
    mutating func insert(_ txid: Hash256, slot: Int) {
        var known = slots(txid)
        guard !known.contains(slot) else { return }
        known.insert(slot)
        set(txid, known)
    }

    /// Records that the peer in `slot` lacks `txid` (it asked for it).
    mutating func remove(_ txid: Hash256, slot: Int) {
        var known = slots(txid)
        guard known.contains(slot) else { return }
        known.remove(slot)
        set(txid, known)
    }

    /// Forgets a peer that left, so that its slot can go to a new one.
    mutating func removeAll(slot: Int) {
        for key in current.keys { current[key]?.remove(slot) }
        for key in previous.keys { previous[key]?.remove(slot) }
    }
}
