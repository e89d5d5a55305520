import KeyChainCore
import KeyChainWire

/// A peer, as the transport numbers it.
public struct PeerID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static func < (lhs: PeerID, rhs: PeerID) -> Bool { lhs.value < rhs.value }
    public var description: String { "peer\(value)" }
}

/// What happens to a node.
public enum ProtocolEvent: Sendable {
    /// A connection is up; the side that dialled (`outbound`) speaks first.
    case connected(PeerID, outbound: Bool)
    /// A connection is gone.
    case disconnected(PeerID)
    /// A message arrived.
    case received(PeerID, Message)
    /// Time passed (the transport ticks about every 100 ms).
    case tick
    /// This node mined a block.
    case mined(Block)
    /// A put was submitted to this node by a client.
    case submitted(Transaction)
}

/// What a node asks its transport to do.
public enum ProtocolAction: Sendable, Equatable {
    /// Send a message to a peer.
    case send(PeerID, Message)
    /// Close a connection; `ban` asks the transport to refuse the address for a while.
    case disconnect(PeerID, reason: String, ban: Bool)
}
