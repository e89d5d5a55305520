import KeyChainCore
import KeyChainWire

/// What happens to a node.
public enum ProtocolEvent: Sendable {
    /// A connection is up; the side that dialled (`outbound`) speaks first. `address` is the
    /// one dialled, or for an inbound connection the one it came from.
    case connected(PeerID, outbound: Bool, address: PeerAddress)
    /// A `dial` failed (refused, unreachable or timed out).
    case dialFailed(PeerAddress)
    /// Addresses learned outside the protocol (the tracker, the command line).
    case discovered([PeerAddress])
    /// A connection is gone.
    case disconnected(PeerID)
    /// A message arrived.
    case received(PeerID, Message)
    /// The peer sent bytes that are not a valid frame or message (bad magic, command, length
    /// or checksum, an oversize frame, a payload that does not decode): it is banned.
    case malformed(PeerID, reason: String)
    /// The transport holds `bytes` for this peer that it could not write yet (reported with
    /// each write while above one frame's worth, and once as it falls back to that): a peer
    /// that does not read is disconnected past the budget, and its queued block requests wait
    /// while it is above one frame's worth.
    case backlog(PeerID, bytes: Int)
    /// The transport stopped (`paused`) or went back to reading this peer, because this node
    /// has not yet handled what the peer sent: while paused the peer is not blamed for a pong
    /// or a body that may be waiting unread, and on resuming its deadlines start afresh.
    case reading(PeerID, paused: Bool)
    /// Time passed (the transport ticks about every 100 ms).
    case tick
    /// This node mined a block: it is stored and its header announced to every ready peer,
    /// before the node connects it (`mined` follows). Connecting a full block takes a busy
    /// node a few hundred milliseconds, in which other miners, unaware, race it on its parent.
    case sealed(Block)
    /// This node mined a block: it is connected, and announced to peers not told yet.
    case mined(Block)
    /// A put was submitted to this node by a client.
    case submitted(Transaction)
}
