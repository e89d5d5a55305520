// KeyChainRPC: the client API: JSON-RPC 2.0 lines on a Unix socket (docs/PROTOCOL.md §8).
//
// - `APIServer`: the socket (mode 0600), `--max-clients` (`RefusedClientHandler` tells the
//   rest), and per connection a notification sink that closes a subscriber which does not
//   read. `RPCConnectionHandler` makes a connection's requests take effect in order: a read
//   waits for the writes before it, writes are prepared (decoded, signatures verified) in
//   parallel but reach the owner in order, replies leave in request order, and the
//   connection is read no further while too many requests or replies wait.
// - `RPCDispatcher`: one request line to one step: a read answered from the `ChainView`, or a
//   write handed to the `Node`. Every failure becomes a JSON-RPC error, through the `+RPC`
//   extensions of KeyChainOwner's error types. A `TransactionStatus` becomes the API's
//   `TxStatusResult` here (`TxStatusResult+Status`), a `ChainNotification` its notification
//   line on the connection's event loop (`ChainNotification+Line`).
// - `RPCMetrics`: time to answer, by method.
