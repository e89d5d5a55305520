/// What a node says of itself in `POST /announce`. JSON: `{"node": "<16 hex>", "genesis":
/// "<64 hex>", "port": 7101, "height": 12, "best": "<64 hex>", "advertise": "203.0.113.5",
/// "stopped": false}`; `advertise`, `best` and `stopped` may be left out.
public struct Announcement: Codable, Hashable, Sendable {
    /// The node's random id (as in its `version` message), which names its entry.
    public var nodeID: UInt64
    /// The network the node follows (genesis hash, hex): a tracker of another refuses it.
    public var genesis: String
    /// The host it wants to be reached at, if it knows one (`--advertise`).
    public var advertisedHost: String?
    /// The port it listens on for peers.
    public var port: UInt16
    /// Its best height and the hash of its tip (hex).
    public var height: UInt32
    public var best: String?
    /// The node is shutting down: forget it at once.
    public var stopped: Bool

    /// An announcement.
    public init(nodeID: UInt64, genesis: String = "", advertisedHost: String? = nil, port: UInt16, height: UInt32 = 0,
                best: String? = nil, stopped: Bool = false) {
        self.nodeID = nodeID
        self.genesis = genesis
        self.advertisedHost = advertisedHost
        self.port = port
        self.height = height
        self.best = best
        self.stopped = stopped
    }

    enum CodingKeys: String, CodingKey {
        case node, genesis, advertise, port, height, best, stopped
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let node = try container.decode(String.self, forKey: .node)
        guard node.utf8.count <= 16, let id = UInt64(node, radix: 16), id != 0 else {
            throw Swift.DecodingError.dataCorruptedError(forKey: .node, in: container, debugDescription: "\"node\" must be 1-16 hex digits, not zero")
        }
        nodeID = id
        genesis = try container.decode(String.self, forKey: .genesis)
        advertisedHost = try container.decodeIfPresent(String.self, forKey: .advertise)
        if let host = advertisedHost, host.utf8.count > 253 {
            throw Swift.DecodingError.dataCorruptedError(forKey: .advertise, in: container, debugDescription: "\"advertise\" is longer than 253 bytes")
        }
        port = try container.decode(UInt16.self, forKey: .port)
        height = try container.decodeIfPresent(UInt32.self, forKey: .height) ?? 0
        best = try container.decodeIfPresent(String.self, forKey: .best)
        stopped = try container.decodeIfPresent(Bool.self, forKey: .stopped) ?? false
        guard stopped || port != 0 else {
            throw Swift.DecodingError.dataCorruptedError(forKey: .port, in: container, debugDescription: "\"port\" must be 1-65535")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.nodeText(nodeID), forKey: .node)
        try container.encode(genesis, forKey: .genesis)
        try container.encodeIfPresent(advertisedHost, forKey: .advertise)
        try container.encode(port, forKey: .port)
        try container.encode(height, forKey: .height)
        try container.encodeIfPresent(best, forKey: .best)
        if stopped { try container.encode(true, forKey: .stopped) }
    }

    /// A node id as JSON carries it: 16 hex digits (a JSON number would lose bits in
    /// JavaScript).
    public static func nodeText(_ id: UInt64) -> String {
        let digits = String(id, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
