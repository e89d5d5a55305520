// KeyChainOwner: the node's core: the one owner of chain state and the views reads are
// answered from. No sockets and no event loops: the API server (KeyChainRPC) and the peer
// transport (KeyChainTransport) talk to it through `Node`, and KeyChainNode puts them together.
//
// - `NodeConfiguration`: what the command line sets; `NodeDataDirectory`: the data dir, its
//   lock, the network's genesis parameters, the wallet key.
// - `Node`: the façade. It is given its block storage and network parameters (or opens a data
//   directory), and posts every write to the owner as an `OwnerMessage`.
// - `ChainOwner`: the one owner of chain state (btcd's block handler): the chain, the
//   `PeerProtocol` and the `TransactionTracker`; an actor on one serial queue
//   (`OwnerQueueExecutor`), so the compiler checks its isolation. Each `OwnerMessage` is
//   handled in one synchronous turn; answers go back through the `OwnerReply` it carries.
//   Messages wait in `OwnerMailbox`: timers first, then the network's round (a lane a peer,
//   and the miner's, whose newest block joins at the head) and the clients' round (a lane a
//   connection), the network two thirds of the time while both wait (`RoundRobinLanes`).
//   Timers (`OwnerTimer`) live in a `DeadlineHeap` on an injected clock; one `OwnerWakeup`
//   posts "timers due". A block from a peer settles waiters (`WaiterIndex`) and notifies
//   subscribers (`SubscriptionIndex`) exactly as the node's own, in proportion to what changed.
//   After each change it publishes a `ChainView` (`PublishedView`). A transaction's state is a
//   `TransactionStatus`, what a subscriber is told a `ChainNotification`: the owner's own
//   types, which the API server words as JSON on the connection's loop.
// - `ChainView`: what reads see: a value over persistent maps (key index, mempool, outcomes),
//   so `get`, `history`, `tx`, `keys` and `status` are answered on the reader's thread, never
//   held up by validation, fsync or a reorganisation.
// - `MiningPolicy`: when the miner works: `ContinuousMining` on a network, `OnDemandSealing`
//   in `--dev`.
// - `NodeRequestError`: typed failures. Reads and queries answer in the owner's own types
//   (`KeyVersionEntry`, `KeyPage`, `BlockReport`, `PeerReport`); the API server (KeyChainRPC)
//   makes the client API's result types and error codes from them. KeyChainAPI is imported
//   only for `IdentityFile`, the key file format the CLI shares.
// - `PeerOutlet`: the transport as the owner sees it (actions out, the early offer, traffic).
// The owner reads the chain through the protocol's `ReadOnlyChain`: only `PeerProtocol`
// changes it.
