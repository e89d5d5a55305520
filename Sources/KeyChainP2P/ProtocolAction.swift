import KeyChainWire

/// What a node asks its transport to do.
public enum ProtocolAction: Sendable, Equatable {
    /// Send a message to a peer.
    case send(PeerID, Message)
    /// Open an outbound connection; answer with `connected` or `dialFailed`.
    case dial(PeerAddress)
    /// Close a connection; `ban` says the protocol banned its host (it refuses the host's
    /// connections itself until the ban ends; a transport may refuse them earlier).
    case disconnect(PeerID, reason: String, ban: Bool)
}
