// KeyChainMining: proof of work.
//
// - `ProofOfWork`: the nonce search over a precomputed SHA-256 midstate (SHA-NI with two lanes
//   when the CPU has it, portable C otherwise), no allocation per nonce.
// - `Miner`: N dedicated threads (not the Swift concurrency pool) searching one template,
//   restarted on a new tip or new transactions, cancellable, optionally held to a hash rate.
