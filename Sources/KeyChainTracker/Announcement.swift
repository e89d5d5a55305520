/// What a node says of itself in `POST /announce`.
public struct Announcement: Codable, Hashable, Sendable {
    /// The node's random id (as in its `version` message), which names its entry.
    public var nodeID: UInt64
    /// The host it wants to be reached at, if it knows one (`--advertise`).
    public var advertisedHost: String?
    /// The port it listens on for peers.
    public var port: UInt16
    /// Its best height.
    public var height: UInt32
    /// The node is shutting down: forget it at once.
    public var stopped: Bool

    /// An announcement.
    public init(nodeID: UInt64, advertisedHost: String? = nil, port: UInt16, height: UInt32 = 0, stopped: Bool = false) {
        self.nodeID = nodeID
        self.advertisedHost = advertisedHost
        self.port = port
        self.height = height
        self.stopped = stopped
    }
}
