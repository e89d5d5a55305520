// Block validation against one core's Ed25519 verify rate, measured in pairs in one process:
// each round verifies the 1,000 signatures on one core, then accepts the same block on a fresh
// chain (nothing cached) with every core. Prints each round and the median ratio.
// Run: swift run -c release ValidationRatio
import Foundation
import KeyChainCore
import KeyChainChain
import KeyChainMining
import KeyChainStore
import Logging
LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
let params = try NetworkParameters(name: "bench", difficultyBits: 4, createdAt: 1_767_225_600_000)
let ids = (0..<8).map { _ in Identity() }
let puts = try (0..<1000).map { i in try Transaction.signed(key: "bench/\(i)", value: Array(#"{"n":\#(i),"payload":"0123456789abcdef"}"#.utf8), by: ids[i % 8]) }
let g = params.genesisBlock.header
var h = BlockHeader(previous: g.hash, merkleRoot: MerkleTree.root(puts.map(\.id)), timestamp: g.timestamp + 1000, target: params.target.compact)
h.nonce = ProofOfWork(header: h, target: params.target).search(from: 0, count: 1 << 20).found?.nonce ?? 0
let block = Block(header: h, transactions: puts)
var ratios: [Double] = []
for _ in 0..<10 {
    var t = Date(); for p in puts { _ = p.hasValidSignature }; let single = Date().timeIntervalSince(t)
    let chain = try Blockchain(parameters: params, storage: MemoryBlockStore())
    t = Date(); _ = try chain.acceptBlock(block); let validate = Date().timeIntervalSince(t)
    ratios.append(single / validate)
    print(String(format: "verify 1 core %.0f tx/s, acceptBlock %.0f tx/s, ratio %.2f", 1000 / single, 1000 / validate, single / validate))
}
ratios.sort(); print(String(format: "median ratio %.2f", ratios[5]))
