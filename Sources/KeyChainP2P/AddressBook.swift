/// The addresses a node knows (from the tracker, from `addr` messages, from peers that dialled
/// in), when each may next be dialled, and which hosts are banned and until when.
///
/// Deterministic: it keeps its addresses in insertion order and draws from the generator it is
/// given, so a simulation replays exactly.
public struct AddressBook: Sendable {
    /// The numbers it works by.
    public struct Policy: Sendable {
        /// Addresses kept; the least recently seen one is dropped for a new one.
        public var capacity = 4_096
        /// Wait after the first failed dial; doubles with each failure in a row.
        public var retryBase: UInt64 = 1_000
        /// The longest wait between dials of one address.
        public var retryMax: UInt64 = 64_000
        /// How long a ban lasts.
        public var banDuration: UInt64 = 86_400_000
        public init() {}
    }

    /// What the book knows of one address.
    public struct Entry: Sendable, Equatable {
        public let address: PeerAddress
        /// When the address was last vouched for (by a connection, or by the peer that told us).
        public var lastSeen: UInt64
        /// Dials that failed in a row.
        public var failures: Int = 0
        /// Not to be dialled before this time.
        public var retryAt: UInt64 = 0
    }

    public let policy: Policy
    private var entries: [PeerAddress: Entry] = [:]
    private var order: [PeerAddress] = []
    private var bans: [PeerAddress: UInt64] = [:]
    /// Addresses found to be this node itself: never dialled, never re-learned.
    private var own: Set<PeerAddress> = []

    private var random: SeededGenerator

    /// An empty book; `seed` drives which addresses are dialled and which are dropped when full.
    public init(policy: Policy = .init(), seed: UInt64) {
        self.policy = policy
        random = SeededGenerator(seed: seed)
    }

    /// The addresses known.
    public var count: Int { entries.count }

    /// What the book knows of `address`.
    public func entry(_ address: PeerAddress) -> Entry? { entries[address] }

    /// Learns an address (seen at `lastSeen`); an address already known keeps its dial schedule.
    /// Returns whether the address was new.
    @discardableResult
    public mutating func add(_ address: PeerAddress, lastSeen: UInt64) -> Bool {
        guard address.isRoutable, !own.contains(address) else { return false }
        if var entry = entries[address] {
            entry.lastSeen = max(entry.lastSeen, lastSeen)
            entries[address] = entry
            return false
        }
        if entries.count >= policy.capacity { evictOne() }
        entries[address] = Entry(address: address, lastSeen: lastSeen)
        order.append(address)
        return true
    }

    /// Drops the least recently seen of 8 addresses drawn at random: cheap whatever the size,
    /// and a flood of fresh addresses cannot choose which entries it pushes out.
    private mutating func evictOne() {
        guard !order.isEmpty else { return }
        var stalest = Int(random.next() % UInt64(order.count))
        for _ in 1..<8 {
            let index = Int(random.next() % UInt64(order.count))
            if (entries[order[index]]?.lastSeen ?? 0) < (entries[order[stalest]]?.lastSeen ?? 0) { stalest = index }
        }
        order.swapAt(stalest, order.count - 1)
        entries[order.removeLast()] = nil
    }

    /// Forgets `address` for good: it is this node's own.
    public mutating func markOwn(_ address: PeerAddress) {
        own.insert(address)
        guard entries.removeValue(forKey: address) != nil else { return }
        order.removeAll { $0 == address }
    }

    /// A dial to `address` failed (or the connection closed before the handshake ended): wait
    /// `retryBase` doubled per failure in a row, at most `retryMax`, before the next one.
    public mutating func failed(_ address: PeerAddress, now: UInt64) {
        guard var entry = entries[address] else { return }
        entry.failures += 1
        entry.retryAt = now + min(policy.retryMax, policy.retryBase << min(entry.failures - 1, 20))
        entries[address] = entry
    }

    /// A connection to `address` completed its handshake: it is good, the backoff starts over.
    public mutating func succeeded(_ address: PeerAddress, now: UInt64) {
        guard var entry = entries[address] else { return }
        entry.failures = 0
        entry.lastSeen = now
        entries[address] = entry
    }

    /// A good connection to `address` closed: dial it again after `retryBase`, not at once.
    public mutating func closed(_ address: PeerAddress, now: UInt64) {
        guard var entry = entries[address] else { return }
        entry.retryAt = now + policy.retryBase
        entries[address] = entry
    }

    /// Bans `address`'s host (whatever the port) for `policy.banDuration`.
    public mutating func ban(_ address: PeerAddress, now: UInt64) {
        bans = bans.filter { $0.value > now }
        bans[address.host] = now + policy.banDuration
    }

    /// When the ban on `address`'s host ends, if it is banned at `now`.
    public func bannedUntil(_ address: PeerAddress, now: UInt64) -> UInt64? {
        bans[address.host].flatMap { $0 > now ? $0 : nil }
    }

    /// The hosts banned at `now`, and until when.
    public func bans(now: UInt64) -> [(host: PeerAddress, until: UInt64)] {
        bans.filter { $0.value > now }.map { ($0.key, $0.value) }.sorted { $0.host < $1.host }
    }

    /// Up to `count` addresses to dial at `now`: due, not banned, not in `excluded`, drawn at
    /// random so that nodes given the same seeds do not all dial the same few.
    public mutating func candidates(_ count: Int, now: UInt64, excluding excluded: Set<PeerAddress>) -> [PeerAddress] {
        var eligible = order.filter { address in
            guard let entry = entries[address], entry.retryAt <= now, !excluded.contains(address) else { return false }
            if let until = bans[address.host] { return until <= now }
            return true
        }
        var chosen: [PeerAddress] = []
        while chosen.count < count && !eligible.isEmpty {
            let index = Int(random.next() % UInt64(eligible.count))
            eligible.swapAt(index, eligible.count - 1)
            chosen.append(eligible.removeLast())
        }
        return chosen
    }

    /// Up to `count` addresses to tell a peer about (the most recently seen first), not banned.
    public func sample(_ count: Int, now: UInt64, excluding excluded: PeerAddress?) -> [Entry] {
        let known = order.compactMap { entries[$0] }.filter { entry in
            entry.address != excluded && (bans[entry.address.host].map { $0 <= now } ?? true)
        }
        return Array(known.sorted { ($0.lastSeen, $1.address) > ($1.lastSeen, $0.address) }.prefix(count))
    }
}
