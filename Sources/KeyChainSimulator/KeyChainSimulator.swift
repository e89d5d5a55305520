// KeyChainSimulator: many nodes in one process on virtual time, deterministic from a seed.
//
// Each `SimulatedNode` runs the real `Blockchain` (over a `MemoryBlockStore`, which survives a
// simulated crash) and the real `PeerProtocol`. `Simulator` delivers their messages, as the
// bytes `Frame.encode` writes and `FrameDecoder` cuts (what TCP carries), over links with
// latency, jitter and loss, honours partitions, and models mining as a Poisson
// process per node weighted by its hash-power share. It records every message and every block
// arrival so experiments can compute cost and delay.
