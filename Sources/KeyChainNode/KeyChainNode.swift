// KeyChainNode: one node put together: chain, store, miner and the client API.
//
// - `NodeConfiguration`: what the command line sets.
// - `NodeDataDirectory`: the data dir: its lock, the network's genesis parameters, the wallet key.
// - `Node`: the actor that owns the chain; submits puts, seals blocks, tracks transactions for
//   `tx`/`wait`, and feeds subscriptions.
// - `RPCDispatcher`: one JSON-RPC line in, one reply out, every failure a JSON-RPC error.
// - `APIServer`: the Unix socket (mode 0600), one task per connection, replies in request order.
// - `NodeService`: the above as a swift-service-lifecycle service with graceful shutdown.
