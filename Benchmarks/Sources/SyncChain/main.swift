// Writes a node data directory holding a chain to sync from (network-bench.sh): `--blocks`
// blocks carrying `--puts` puts in all, signed round-robin by `--authors` authors, so that no
// author's signatures come in a run (the worst order for the verifier's per-key tables).
// Keys are NodeLoad's ("load/" and a zero-padded index, 32 bytes), so `get` finds them.
//   SyncChain --out DIR --blocks 1000 --puts 100000 --authors 1000
import Dispatch
import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainMining
import KeyChainStore
import Logging

var out = "", blocks = 1_000, puts = 100_000, authorCount = 1_000
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    let value = arguments.next() ?? ""
    switch flag {
    case "--out": out = value
    case "--blocks": blocks = Int(value) ?? blocks
    case "--puts": puts = Int(value) ?? puts
    case "--authors": authorCount = Int(value) ?? authorCount
    default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8)); exit(2)
    }
}
guard !out.isEmpty, blocks > 0, puts >= blocks, authorCount > 0 else {
    FileHandle.standardError.write(Data("usage: SyncChain --out DIR [--blocks 1000] [--puts 100000] [--authors 1000]\n".utf8))
    exit(2)
}
// A chain of its own network each run: a data directory left by another run holds another
// genesis, which the chain would refuse.
if let existing = try? FileManager.default.contentsOfDirectory(atPath: out), !existing.isEmpty {
    FileHandle.standardError.write(Data("SyncChain: \(out) is not empty; give a new directory\n".utf8))
    exit(2)
}

let now = UInt64(Date().timeIntervalSince1970 * 1000)
let parameters = try NetworkParameters(name: "sync-bench", difficultyBits: 8, createdAt: now - UInt64(blocks + 10) * 1_000)
try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
try (Hex.encode(parameters.encoded) + "\n").write(toFile: out + "/network.params", atomically: true, encoding: .utf8)
let authors = (0..<authorCount).map { _ in Identity() }

@Sendable func key(_ index: Int) -> String {
    let digits = String(index)
    return "load/" + String(repeating: "0", count: 32 - 5 - digits.count) + digits
}

let chain = try Blockchain(parameters: parameters, storage: try SegmentBlockStore(dataDirectory: out), logger: Logger(label: "sync-chain"))
var parent = parameters.genesisBlock.header
let perBlock = puts / blocks
for height in 0..<blocks {
    let first = height * perBlock
    let count = height == blocks - 1 ? puts - first : perBlock
    var signed = [Transaction?](repeating: nil, count: count)
    let authors = authors, authorCount = authorCount
    signed.withUnsafeMutableBufferPointer { slots in
        nonisolated(unsafe) let slots = slots
        DispatchQueue.concurrentPerform(iterations: count) { offset in
            let index = first + offset
            slots[offset] = try? Transaction.signed(key: key(index), value: Array(#"{"n":\#(index),"payload":"0123456789abcdef"}"#.utf8),
                                                    by: authors[index % authorCount])
        }
    }
    let transactions = signed.compactMap { $0 }
    var header = BlockHeader(previous: parent.hash, merkleRoot: MerkleTree.root(transactions.map(\.id)),
                             timestamp: parameters.createdAt + UInt64(height + 1) * 1_000, target: parameters.target.compact)
    header.nonce = ProofOfWork(header: header, target: parameters.target).search(from: 0, count: 1 << 24).found?.nonce ?? 0
    let block = Block(header: header, transactions: transactions)
    _ = try chain.acceptBlock(block)
    parent = header
}
try chain.close()
print("{\"blocks\":\(chain.height),\"puts\":\(puts),\"authors\":\(authorCount),\"genesis\":\"\(parameters.genesisHash.hex)\"}")
