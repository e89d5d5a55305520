// KeyChainNode: one node put together: the owner (KeyChainOwner), the client API
// (KeyChainRPC) and, on a network, the peer transport (KeyChainTransport).
//
// - `PeerNetwork`: the node's place in a network: the transport wired to the `Node`,
//   announcements to trackers (capped backoff; a failing tracker never stops the node) and
//   the peers file. `GenesisSource` reads the network to join on first start from
//   `--genesis` or a tracker.
// - `NodeService` and `MetricsServer`: swift-service-lifecycle services with graceful shutdown.
//
// Threads and locks (docs/ARCHITECTURE.md §9). The owner's serial queue; the client event
// loops (one a core), which answer reads; one event loop for every peer connection, which
// only reads, cuts frames and writes; a serial inbox queue per peer, where frames are decoded
// and an outbox queue per peer, where what it is sent is framed; the `VerificationService`'s
// threads, which check every signature before the owner sees it (`tip` at normal priority,
// `sync` at nice +10, below the rest); `concurrentPerform` workers for the chain's own check
// of a block's signatures when any is not cached; the miner's threads; the key index's writer and the store's compressor.
// `CoreBudget` sizes them. Locks shared by these threads are NIO's (`NIOLockedValueBox`, a plain pthread mutex),
// not the standard library's `Mutex`: on Linux that is a priority-inheritance futex, which
// hands the lock to the thread that waited for it, and on a busy machine that thread may not
// run for milliseconds while every other taker queues behind it. A `get` waiting so for the
// view's lock during a sync made its p99 3-5x its idle p99; with NIO's lock it is 1.1-2.3x in
// most runs.
