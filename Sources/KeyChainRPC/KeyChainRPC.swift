// KeyChainRPC: the client API: JSON-RPC 2.0 lines on a Unix socket (docs/PROTOCOL.md §8).
//
// - `APIServer`: the socket (mode 0600), `--max-clients` (`RefusedClientHandler` tells the
//   rest), and per connection a notification sink that closes a subscriber which does not
//   read.
// - `RPCConnectionHandler` makes a connection's requests take effect in order: a read
//   waits for the writes before it, writes are prepared (decoded, signatures verified) in
//   parallel on the `VerificationService`'s `tip` threads but reach the owner in order, replies leave in request order, and the
//   connection is read no further while too many requests or replies wait.
// - `RPCDispatcher`: one request line to one `RPCStep`: parses it, finds its method in the flat
//   table (`RPCMethod+Table`, one entry per method, of four kinds: a read of the `ChainView`,
//   a listing built off the event loop, work for the owner, a write checked off the event loop
//   first), and words replies. Work handed to the `Node` answers through an `RPCReplyHandle`.
//   Every failure becomes a JSON-RPC error.
// - The API's result types are made from the owner's own here and nowhere else: the `+RPC`
//   extensions give KeyChainOwner's errors their codes, `VersionResult+Entry`,
//   `StatusResult+View`, `BlockResult+Report`, `PeersResult+Report` and `TxStatusResult+Status`
//   word reads and statuses, `ChainNotification+Line` a notification (on the connection's loop).
// - `RPCMetrics`: time to answer, by method.
