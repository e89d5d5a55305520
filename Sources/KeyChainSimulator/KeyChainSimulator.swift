// KeyChainSimulator: many nodes in one process on virtual time, deterministic from a seed.
//
// Each `SimulatedNode` runs the real `Blockchain` (over a `MemoryBlockStore`, which survives a
// simulated crash) and the real `PeerProtocol`. `Simulator` delivers their messages, as the
// bytes `Frame.encode` writes and `FrameDecoder` cuts (what TCP carries), over links with
// latency, jitter and loss, honours partitions, and models mining as a Poisson
// process per node weighted by its hash-power share. It records every message and every block
// arrival so experiments can compute cost and delay.
//
// Each node's miner is driven as a node's owner drives it: a `MinerController` decides the
// pause for a better block's body, mine-ahead on a peer's checked block
// (`PeerProtocol.checkedTipExtension`), going back, and refreshes; the node's current template
// is what a mining event seals (nothing while it idles); puts join the template 100 ms after
// they arrive; a sealed block is stored and announced, the miner moved onto it, then connected
// (`.sealed`, then `.mined`). Only the transport's early answer is not modelled: a simulated
// node answers every `getdata` through its protocol at once.
