/// The tracker's answer to `POST /announce` and `GET /peers`.
public struct AnnounceReply: Codable, Equatable, Sendable {
    /// A peer to dial.
    public struct Peer: Codable, Equatable, Sendable {
        /// Its node id (16 hex digits).
        public var node: String
        /// Where to dial it.
        public var host: String
        public var port: UInt16
        /// Its best height when it last announced.
        public var height: UInt32

        /// A peer entry.
        public init(node: String, host: String, port: UInt16, height: UInt32) {
            self.node = node
            self.host = host
            self.port = port
            self.height = height
        }
    }

    /// The network the tracker serves (genesis hash, hex).
    public var genesis: String
    /// Seconds until the node should announce again.
    public var interval: Int
    /// The address the tracker recorded the announcing node under (absent for `GET /peers`
    /// and for a `stopped` announcement).
    public var recordedAs: String?
    /// Other live nodes, drawn at random.
    public var peers: [Peer]

    /// An answer.
    public init(genesis: String, interval: Int, recordedAs: String? = nil, peers: [Peer]) {
        self.genesis = genesis
        self.interval = interval
        self.recordedAs = recordedAs
        self.peers = peers
    }
}
