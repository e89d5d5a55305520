// Block validation against one core's Ed25519 verify rate, measured in pairs in one process:
// each round verifies a block's 1,000 signatures on one core, then accepts the same block on a
// fresh chain with every core, and the ratio is acceptBlock's rate over the single core's.
// Two blocks: 1,000 puts by 1,000 new authors each round (every signature checked without
// tables: the worst case), and 1,000 puts by 8 busy authors (checked against their
// precomputed tables, 2.3x faster, so the serial part of acceptBlock weighs more).
// Then a cold key's check on its own: the node's verifier without tables against libsodium's
// crypto_sign_verify_detached, the same 1,000 signatures by new keys, interleaved.
// Prints each round and the median ratios. Run: swift run -c release ValidationRatio
import CKeyChainNative
import Foundation
import KeyChainCore
import KeyChainChain
import KeyChainMining
import KeyChainStore
import KeyChainTestSupport
import Logging
LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
let params = try NetworkParameters(name: "bench", difficultyBits: 4, createdAt: 1_767_225_600_000)

func block(authors ids: [Identity], round: Int) throws -> Block {
    let puts = try (0..<1000).map { i in
        try Transaction.signed(key: "bench/\(round)/\(i)", value: Array(#"{"n":\#(i),"payload":"0123456789abcdef"}"#.utf8), by: ids[i % ids.count])
    }
    let g = params.genesisBlock.header
    var h = BlockHeader(previous: g.hash, merkleRoot: MerkleTree.root(puts.map(\.id)), timestamp: g.timestamp + 1000, target: params.target.compact)
    h.nonce = ProofOfWork(header: h, target: params.target).search(from: 0, count: 1 << 20).found?.nonce ?? 0
    return Block(header: h, transactions: puts)
}

func measure(_ label: String, rounds: Int, authors: (Int) -> [Identity]) throws {
    var ratios: [Double] = []
    for round in 0..<rounds {
        let candidate = try block(authors: authors(round), round: round)
        var t = Date(); for p in candidate.transactions { _ = p.hasValidSignature }; let single = Date().timeIntervalSince(t)
        let chain = try Blockchain(parameters: params, storage: MemoryBlockStore())
        t = Date(); _ = try chain.acceptBlock(candidate); let validate = Date().timeIntervalSince(t)
        ratios.append(single / validate)
        print(String(format: "%@: verify 1 core %.0f tx/s, acceptBlock %.0f tx/s, ratio %.2f", label, 1000 / single, 1000 / validate, single / validate))
    }
    ratios.sort()
    print(String(format: "%@: median ratio %.2f", label, ratios[ratios.count / 2]))
}

try measure("1,000 new authors", rounds: 10) { _ in (0..<1000).map { _ in Identity() } }
let busy = (0..<8).map { _ in Identity() }
try measure("8 busy authors", rounds: 10) { _ in busy }

func measureColdKeys(rounds: Int) {
    var ratios: [Double] = []
    for round in 0..<rounds {
        let signed = (0..<1000).map { index -> (key: [UInt8], signature: [UInt8], message: [UInt8]) in
            let (key, secret) = Libsodium.keyPair()
            let message = Hash256(sha256d: [UInt8(round), UInt8(index & 0xFF), UInt8(index >> 8)]).bytes
            return (key, Libsodium.sign(message, secretKey: secret), message)
        }
        var valid = 0
        var t = Date(); for item in signed where Libsodium.verify(signature: item.signature, message: item.message, key: item.key) { valid += 1 }
        let sodium = Date().timeIntervalSince(t)
        t = Date(); for item in signed where kc_ed25519_verify(item.signature, item.message, item.message.count, item.key) == 1 { valid += 1 }
        let own = Date().timeIntervalSince(t)
        guard valid == 2000 else { fatalError("a valid signature was refused") }
        ratios.append(own / sodium)
        print(String(format: "cold key: libsodium %.1f us, KeyChain without tables %.1f us, cost %.3fx libsodium's", sodium * 1000, own * 1000, own / sodium))
    }
    ratios.sort()
    print(String(format: "cold key: median cost %.3fx libsodium's (target <= 1.1x)", ratios[ratios.count / 2]))
}

measureColdKeys(rounds: 10)
