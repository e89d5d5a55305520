extension ProtocolEvent {
    /// The peer the event concerns, if one: the node's owner keeps each peer's events in a
    /// lane of their own.
    public var peer: PeerID? {
        switch self {
        case let .connected(peer, _, _), let .disconnected(peer), let .received(peer, _), let .malformed(peer, _),
             let .backlog(peer, _):
            peer
        case .dialFailed, .discovered, .tick, .sealed, .mined, .submitted:
            nil
        // Not in the peer's own lane: there it would wait behind the very messages that made
        // the transport stop reading.
        case .reading:
            nil
        }
    }
}
