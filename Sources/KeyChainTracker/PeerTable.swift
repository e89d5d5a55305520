/// The tracker's live peers. An announcement adds or refreshes its node's entry; a `stopped`
/// one removes it; an entry not refreshed for 1.5 announce intervals expires. The table holds
/// at most `capacity` entries: a new node beyond that is refused (existing ones still refresh).
public struct PeerTable: Sendable {
    /// One live peer.
    public struct Peer: Codable, Hashable, Sendable {
        /// Its node id, host and port to dial, and its best height.
        public var nodeID: UInt64
        public var host: String
        public var port: UInt16
        public var height: UInt32
        /// Milliseconds since the Unix epoch of its last announcement.
        public var lastSeen: UInt64
    }

    /// What an announcement did.
    public enum Outcome: Equatable, Sendable {
        case added
        case refreshed
        case removed
        /// Refused: the table is full.
        case full
        /// Refused: no usable address (the reason says why).
        case unreachable(String)
    }

    /// How often nodes re-announce, in milliseconds (30 s by default).
    public let interval: UInt64
    /// The most entries kept.
    public let capacity: Int
    private var peers: [UInt64: Peer] = [:]

    /// An empty table.
    public init(interval: UInt64 = 30_000, capacity: Int = 10_000) {
        self.interval = max(interval, 1)
        self.capacity = max(capacity, 1)
    }

    /// An entry lives this long after its last announcement: 1.5 intervals.
    public var lifetime: UInt64 { interval * 3 / 2 }

    /// Live entries.
    public var count: Int { peers.count }

    /// The entry of `nodeID`, if it is live.
    public func peer(_ nodeID: UInt64) -> Peer? { peers[nodeID] }

    /// Takes an announcement that arrived from `source` (the connection's remote host).
    public mutating func announce(_ announcement: Announcement, from source: String, now: UInt64) -> Outcome {
        expire(now: now)
        if announcement.stopped {
            peers[announcement.nodeID] = nil
            return .removed
        }
        let host: String
        switch Self.host(advertised: announcement.advertisedHost, source: source) {
        case let .success(chosen): host = chosen
        case let .failure(reason): return .unreachable(reason.description)
        }
        let peer = Peer(nodeID: announcement.nodeID, host: host, port: announcement.port, height: announcement.height, lastSeen: now)
        if peers.updateValue(peer, forKey: announcement.nodeID) != nil { return .refreshed }
        guard peers.count <= capacity else {
            peers[announcement.nodeID] = nil
            return .full
        }
        return .added
    }

    /// Drops entries older than their lifetime.
    public mutating func expire(now: UInt64) {
        let lifetime = self.lifetime
        peers = peers.filter { now < $0.value.lastSeen + lifetime }
    }

    /// Up to `count` live peers drawn at random, never `excluding` (the asker itself).
    public func sample(_ count: Int, excluding: UInt64? = nil, now: UInt64, using generator: inout some RandomNumberGenerator) -> [Peer] {
        let live = peers.values.filter { $0.nodeID != excluding && now < $0.lastSeen + lifetime }
            .sorted { $0.nodeID < $1.nodeID }  // an order that does not depend on the hash seed
        return Array(live.shuffled(using: &generator).prefix(max(count, 0)))
    }
}
