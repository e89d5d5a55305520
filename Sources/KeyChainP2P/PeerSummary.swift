/// What the protocol knows of one connected peer, for `peers` and metrics.
public struct PeerSummary: Sendable, Equatable {
    public let id: PeerID
    /// The address dialled, or the one an inbound connection came from.
    public let address: PeerAddress
    /// Where it takes connections, if it said.
    public let listenAddress: PeerAddress?
    public let outbound: Bool
    /// Whether the handshake is complete.
    public let ready: Bool
    /// The best height it announced.
    public let bestHeight: UInt32
    /// The last ping round trip.
    public let pingMilliseconds: UInt64?
    /// When the connection opened (the protocol's clock).
    public let connectedAt: UInt64
    /// Blocks asked of it and not yet delivered.
    public let blocksInFlight: Int
}
