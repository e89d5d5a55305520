// KeyChainP2P: the peer protocol as a state machine: no sockets, no clock of its own.
//
// `PeerProtocol` takes `ProtocolEvent`s (a connection opened or closed, a dial failed,
// addresses discovered, a message or a malformed frame arrived, the transport's backlog for a
// peer, a timer tick, a block mined or a put submitted locally) and returns a `ProtocolOutput`:
// `ProtocolAction`s (send, dial, disconnect and perhaps ban), every `ChainUpdate` the event
// caused, and why a mined block or submitted put was refused. The same code runs over TCP in
// the node and over the simulated network in `KeyChainSimulator`. It alone changes the
// `Blockchain` it is given; others read it through `chain` (a `ReadOnlyChain`), and a miner
// may start on a peer's block once `checkedTipExtension` has checked it, before `handle`
// stores and connects it. Its parts, one file each:
// - `PeerProtocol`: state, `handle`, the handshake and teardown; `PeerProtocol+Configuration`
//   holds every number (docs/ARCHITECTURE.md §6), the liveness limits among them (a 60 s handshake, pings
//   after 30 s of silence answered within 30 s, 8 MiB of unsent bytes per peer);
// - `+Messages`: answers to each message; `+Relay`: headers, put invs and addresses to the
//   peers that lack them; `+Timers`: inv batches, stalls, anti-entropy and block downloads
//   (2,000 headers a batch, 16 bodies in flight per peer, a 1,024-block window, stall timeouts
//   doubling from 2 s to 64 s with re-request elsewhere; put txids beyond 5,000 in flight
//   queued per peer); `+Connections`: 8 outbound, the inbound cap, bans (a loopback offender
//   is cut off, not banned); `+CompactBlocks`: a new tip as a compact block (pushed to the
//   peers that asked, or to all when it is small), rebuilt from the mempool by
//   `CompactBlockAssembly`, missing puts asked with `getblocktxn`, the 3 peers asked to push;
// - `AddressBook`: known addresses, dial backoff (1 s doubling to 64 s), bans by host;
// - `PeerState` per peer, `PeerSummary` what `peers` reports of it; `KnownInventory` and `RecentSet`: which peers have which items,
//   bounded; `PeerAddress`, `PeerID`, `SeededGenerator` (all choices replay from a seed).
