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

    private var current: [Hash256: Slots]
    private var previous: [Hash256: Slots] = [:]
    let capacity: Int

    /// Room for `capacity` txids is reserved up front, and again at each new generation: grown
    /// by doubling instead, the table rehashed tens of thousands of entries in the middle of
    /// one peer's `inv`, and every client and peer waited milliseconds behind it.
    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        current = Dictionary(minimumCapacity: self.capacity)
    }

    /// The peers known to have `txid`.
    func slots(_ txid: Hash256) -> Slots { current[txid] ?? previous[txid] ?? Slots() }

    /// Records that the peers in `slots` have `txid`.
    mutating func set(_ txid: Hash256, _ slots: Slots) {
        current[txid] = slots
        if current.count >= capacity {
            previous = current
            current = Dictionary(minimumCapacity: capacity)
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
        // mapValues keeps each table's layout: no key is hashed or looked up again. (Assigning
        // through `current[key]` while iterating `current.keys` copied the whole table first:
        // 4-14 ms of the owner for each peer that left.)
        current = current.mapValues { var slots = $0; slots.remove(slot); return slots }
        previous = previous.mapValues { var slots = $0; slots.remove(slot); return slots }
    }
}
