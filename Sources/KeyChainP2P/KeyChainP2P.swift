// KeyChainP2P: the peer protocol as a state machine: no sockets, no clock of its own.
//
// `PeerProtocol` takes `ProtocolEvent`s (a peer connected, a message arrived, a timer tick, a
// block mined or a put submitted locally) and returns `ProtocolAction`s (send a message,
// disconnect and perhaps ban). The same code runs over TCP in the node and over the simulated
// network in `KeyChainSimulator`. It covers: the handshake and network check; new tips
// announced by header and fetched on demand; transactions announced by inv, batched every
// ~100 ms, fetched on demand; de-duplication per peer; headers-first sync (2,000 headers a
// batch, 16 bodies in flight per peer, a 1,024-block window, stall timeouts doubling from 2 s
// to 64 s with re-request elsewhere); periodic anti-entropy; and bans for invalid blocks.
