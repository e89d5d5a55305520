// KeyChainMining: proof of work, and when to do it.
//
// - `ProofOfWork`: the nonce search over a precomputed SHA-256 midstate (SHA-NI with two lanes
//   when the CPU has it, portable C otherwise), no allocation per nonce.
// - `Miner`: N dedicated threads (not the Swift concurrency pool) searching one template,
//   restarted on a new tip or new transactions, cancellable, optionally held to a hash rate;
//   `HashRateWindow`, its hash rate over the last 10 s.
// - `MinerController`: when and on what the miner works (the pause while a better block's body
//   is on its way, and while the node catches up block by block; mine-ahead on a block whose
//   body checks passed, going back when it does not connect, template refreshes): events in,
//   decisions out, driven by the node's owner and by the simulator.
