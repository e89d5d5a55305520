// KeyChainNode: one node put together: chain, peer protocol, miner, the client API and the
// network.
//
// - `NodeConfiguration`: what the command line sets; `NodeDataDirectory`: the data dir, its
//   lock, the network's genesis parameters, the wallet key.
// - `Node`: the façade. It is given its block storage and network parameters (or opens a data
//   directory), and enqueues every write to the `ChainOwner`.
// - `ChainOwner`: the one owner of chain state (btcd's block handler): the chain, the
//   `PeerProtocol` and the `TransactionTracker`, run serially on one dispatch queue. Client
//   writes, the miner's blocks, timer ticks and peer events are messages to it, posted to its
//   `OwnerMailbox`: timers first, then the network's round (a lane a peer, and the miner's,
//   whose newest block joins at the head) and the clients' round (a lane a connection), the
//   network two thirds of the time while both wait; a block from a peer settles waiters and
//   notifies subscribers exactly as the node's own.
//   After each change it publishes a `ChainView` (`PublishedView`).
// - `ChainView`: what reads see: a value over persistent maps (key index, mempool, outcomes),
//   so `get`, `history`, `tx`, `keys` and `status` are answered on the event loop, never held
//   up by validation, fsync or a reorganisation.
// - `MiningPolicy`: when the miner works: `ContinuousMining` on a network, `OnDemandSealing`
//   in `--dev`.
// - `NodeRequestError`: typed failures; their JSON-RPC codes and messages are given by the
//   `+RPC` extensions (`NodeRequestError+RPC`, `TransactionError+RPC`,
//   `TransactionOutcome+RPC`), which `RPCDispatcher` and `ChainView` use.
// - `APIServer`: the Unix socket (mode 0600). `RPCConnectionHandler` makes a connection's
//   requests take effect in order: a read waits for the writes before it, writes are prepared
//   (decoded, signatures verified) in parallel but reach the owner in order, and replies
//   leave in request order.
// - `PeerTransport`: the peer protocol over SwiftNIO TCP, an adapter:
//   connections, frames (`PeerChannelHandler` cuts them, refusing an oversize one from its
//   header) and failures become `ProtocolEvent`s for the owner; its `ProtocolAction`s become
//   writes (counted per `PeerLink`, the backlog reported to the protocol), dials and closes.
//   It decides a few things without the owner, to keep blocks moving while the owner is busy:
//   it answers `getdata` for the block the node just sealed (`offer`), verifies arriving
//   puts' and blocks' signatures on each peer's inbox (a sync's by the verifier pool), and
//   stops reading a peer whose messages wait unhandled (16 MiB).
// - `PeerNetwork`: the node's place in a network: the transport, announcements to trackers
//   (capped backoff; a failing tracker never stops the node) and the peers file.
//   `GenesisSource` reads the network to join on first start from `--genesis` or a tracker.
// - `NodeService` and `MetricsServer`: swift-service-lifecycle services with graceful shutdown.
//
// Threads and locks (docs/ARCHITECTURE.md §9). The owner's serial queue; the client event
// loops (one a core), which answer reads; one event loop for every peer connection; a serial
// inbox queue per peer, where a batch's signatures are verified before it goes to the owner;
// `concurrentPerform` workers for a block's uncached signatures; the miner's threads; and
// `VerifierPool` threads at nice +10 for a sync's signatures, below the rest. Locks shared by
// these threads are NIO's (`NIOLockedValueBox`, a plain pthread mutex), not the standard
// library's `Mutex`: on Linux that is a priority-inheritance futex, which hands the lock to
// the thread that waited for it, and on a busy machine that thread may not run for
// milliseconds while every other taker queues behind it. A `get` waiting so for the view's
// lock during a sync made its p99 3-5x its idle p99; with NIO's lock it is 1.1-2.3x in most runs.
