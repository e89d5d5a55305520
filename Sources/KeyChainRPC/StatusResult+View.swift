import Foundation
import KeyChainAPI
import KeyChainCore
import KeyChainOwner

extension StatusResult {
    /// The node's state as `status` reports it: a published view, the miner's hash rate and
    /// the open client connections.
    init(_ view: ChainView, hashRate: Double, clients: Int) {
        let next = view.parameters.target(afterHeight: view.tip.height, parentTimestamp: view.tip.header.timestamp)
        var halfLife: UInt32?
        if case let .asert(intervals) = view.parameters.retargeting { halfLife = intervals }
        self.init(network: view.parameters.name, genesis: view.parameters.genesisHash.hex,
                  difficultyBits: view.parameters.difficultyBits, height: view.tip.height, tip: view.tip.hash.hex,
                  tipTimestamp: view.tip.header.timestamp, mempool: view.mempoolCount, keys: view.keyIndex.keyCount,
                  mining: view.mining, hashRate: hashRate, wallet: view.wallet.hex, peers: view.peers, clients: clients,
                  bestKnownHeight: max(view.bestKnownHeight, view.tip.height), storageFault: view.storageFault,
                  nextTarget: String(next.compact, radix: 16), nextDifficultyBits: (log2(Double(next.work.value)) * 100).rounded() / 100,
                  halfLifeIntervals: halfLife)
    }
}
