import KeyChainAPI
import KeyChainOwner

extension StatusResult {
    /// The node's state as `status` reports it: a published view, the miner's hash rate and
    /// the open client connections.
    init(_ view: ChainView, hashRate: Double, clients: Int) {
        self.init(network: view.parameters.name, genesis: view.parameters.genesisHash.hex,
                  difficultyBits: view.parameters.difficultyBits, height: view.tip.height, tip: view.tip.hash.hex,
                  tipTimestamp: view.tip.header.timestamp, mempool: view.mempoolCount, keys: view.keyIndex.keyCount,
                  mining: view.mining, hashRate: hashRate, wallet: view.wallet.hex, peers: view.peers, clients: clients,
                  bestKnownHeight: max(view.bestKnownHeight, view.tip.height), storageFault: view.storageFault)
    }
}
