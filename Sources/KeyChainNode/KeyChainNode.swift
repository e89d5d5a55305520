// KeyChainNode: one node put together: chain, peer protocol, miner and the client API.
//
// - `NodeConfiguration`: what the command line sets; `NodeDataDirectory`: the data dir, its
//   lock, the network's genesis parameters, the wallet key.
// - `Node`: the façade. It is given its block storage and network parameters (or opens a data
//   directory), and enqueues every write to the `ChainOwner`.
// - `ChainOwner`: the one owner of chain state (btcd's block handler): the chain, the
//   `PeerProtocol` and the `TransactionTracker`, run serially on one dispatch queue. Client
//   writes, the miner's blocks, timer ticks and peer events are messages to it; a block from
//   a peer settles waiters and notifies subscribers exactly as the node's own. After each
//   change it publishes a `ChainView` (`PublishedView`).
// - `ChainView`: what reads see: a value over persistent maps (key index, mempool, outcomes),
//   so `get`, `history`, `tx`, `keys` and `status` are answered on the event loop, never held
//   up by validation, fsync or a reorganisation.
// - `MiningPolicy`: when the miner works: `ContinuousMining` on a network, `OnDemandSealing`
//   in `--dev`.
// - `NodeRequestError`: typed failures; `RPCDispatcher` alone maps them to JSON-RPC codes.
// - `APIServer`: the Unix socket (mode 0600). `RPCConnectionHandler` makes a connection's
//   requests take effect in order: a read waits for the writes before it, writes are prepared
//   (decoded, signatures verified) in parallel but reach the owner in order, and replies
//   leave in request order.
// - `NodeService` and `MetricsServer`: swift-service-lifecycle services with graceful shutdown.
