// KeyChainTransport: the peer protocol (KeyChainP2P) over SwiftNIO TCP. It knows nothing of
// the chain's owner: events go out through the `Deliver` function it is attached to, and it
// performs the protocol's actions it is handed.
//
// - `PeerTransport`: connections, dials and closes. Frames (`PeerChannelHandler` cuts them on
//   the event loop, refusing an oversize one from its header; each peer's inbox queue checks
//   and decodes them) and failures become `ProtocolEvent`s, a read's worth a batch, cut into
//   turns of at most 128 inventory entries (`Message+Turns`); actions become writes, framed on
//   each peer's outbox queue and counted per `PeerLink` (the send backlog reported to the
//   protocol while above a frame's worth, and as it falls back). No hashing, decoding or
//   encoding happens on the event loop. It decides a few things without the owner, to keep
//   blocks moving while the owner is busy: it answers `getdata` for the block the node just
//   sealed (`offer`) unless the peer waits for an earlier reply (`Message+Replies`), has arriving puts'
//   and blocks' signatures verified by the node's `VerificationService` (a sync's at nice
//   +10) while that peer's inbox waits, and stops reading a peer whose messages wait
//   unhandled (16 MiB), telling the protocol so.
//   A block the chain stored lately is framed once, in its `RecentBlocks`, for every peer; the
//   block this node sealed as soon as it is offered, ahead of the requests.
// - `PeerAddress+Socket`: addresses to and from NIO's.
// - `PeerMetrics`: bytes and messages in and out.
