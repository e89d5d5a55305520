import KeyChainP2P

/// The node's peer connections and bans, as `peers` reports them.
public struct PeerReport: Sendable {
    /// One open connection.
    public struct Connection: Sendable {
        /// What the protocol knows of it.
        public let summary: PeerSummary
        /// Bytes received from it and sent to it.
        public let bytesIn: UInt64, bytesOut: UInt64
        /// How long it has been open.
        public let connectedSeconds: UInt64
    }

    /// An address the node refuses for a while.
    public struct Ban: Sendable {
        /// The banned host.
        public let host: String
        /// How long the ban lasts yet.
        public let remainingSeconds: UInt64
    }

    /// Every open connection, handshake done or not.
    public let connections: [Connection]
    /// The bans in force.
    public let bans: [Ban]
}
