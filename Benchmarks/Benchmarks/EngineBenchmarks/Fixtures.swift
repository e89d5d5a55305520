import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainMining
import KeyChainStore
import KeyChainTestSupport

/// Inputs shared by the benchmarks, built once.
enum Fixtures {
    static let header = BlockHeader(previous: Hash256(sha256d: [1]), merkleRoot: Hash256(sha256d: [2]),
                                    timestamp: 1_767_225_600_000, target: 0x1D01_0000, nonce: 0)
    static let hardTarget: Target = { try! Target(difficultyBits: 120) }()

    static let parameters: NetworkParameters = {
        try! NetworkParameters(name: "bench", difficultyBits: 4, createdAt: 1_767_225_600_000)
    }()

    static let identities: [Identity] = (0..<8).map { _ in Identity() }

    /// 1,000 signatures of 32-byte messages, each by a key of its own.
    static let signedByNewAuthors: [(key: [UInt8], signature: [UInt8], message: [UInt8])] = (0..<1_000).map { index in
        let (key, secret) = Libsodium.keyPair()
        let message = Array(Hash256(sha256d: [UInt8(index & 0xFF), UInt8(index >> 8)]).bytes)
        return (key, Libsodium.sign(message, secretKey: secret), message)
    }

    /// A mined block of 1,000 puts from 8 authors, on the benchmark network's genesis.
    static let block: Block = {
        let puts = (0..<1_000).map { index in
            try! Transaction.signed(key: "bench/\(index)", value: Array(#"{"n":\#(index),"payload":"0123456789abcdef"}"#.utf8),
                                    by: identities[index % identities.count])
        }
        let genesis = parameters.genesisBlock.header
        var header = BlockHeader(previous: genesis.hash, merkleRoot: MerkleTree.root(puts.map(\.id)),
                                 timestamp: genesis.timestamp + 1_000, target: parameters.target.compact)
        let search = ProofOfWork(header: header, target: parameters.target)
        header.nonce = search.search(from: 0, count: 1 << 20).found?.nonce ?? 0
        return Block(header: header, transactions: puts)
    }()

    /// 16 blocks of about 64 KB of JSON-like values: realistic, compressible text.
    static let storeBlocks: [Block] = {
        var previous = Hash256.zero
        return (0..<16).map { height in
            let puts = (0..<256).map { index in
                try! Transaction.signed(
                    key: "user/\(height)/\(index)",
                    value: Array(#"{"name":"user \#(index)","email":"user\#(index)@example.com","plan":"pro","balance":\#(index * 37)}"#.utf8),
                    by: identities[index % identities.count])
            }
            let block = Block(header: BlockHeader(previous: previous, merkleRoot: MerkleTree.root(puts.map(\.id)),
                                                  timestamp: 1_767_225_600_000 + UInt64(height), target: 0x2000_FFFF),
                              transactions: puts)
            previous = block.hash
            return block
        }
    }()

    /// Raw bytes moved by one store iteration.
    static let storeBatchBytes = storeBlocks.reduce(0) { $0 + $1.encodedSize }

    static let indexKeys: [String] = (0..<20_000).map { "config/service-\($0)/endpoint" }

    /// A chain whose key index holds `indexKeys` in memory (`MemoryBlockStore`).
    // Built once, then only read by one benchmark at a time.
    nonisolated(unsafe) static let keyIndexChain: Blockchain = indexChain(storage: MemoryBlockStore())

    /// The same on disk (`SegmentBlockStore` in a scratch directory), every update recorded
    /// in the key index's database, so reads go to SQLite.
    nonisolated(unsafe) static let keyIndexDiskChain: Blockchain = {
        let chain = indexChain(storage: try! SegmentBlockStore(dataDirectory: scratch()))
        chain.awaitKeyIndexWritten()
        return chain
    }()

    static func indexChain(storage: BlockStorage) -> Blockchain {
        let chain = try! Blockchain(parameters: parameters, storage: storage)
        for (index, key) in indexKeys.enumerated() {
            try! chain.submit(try! Transaction.signed(key: key, value: Array("https://host-\(index):8443".utf8), by: identities[index % 8]))
        }
        while chain.mempool.count > 0 {
            let template = chain.makeTemplate()
            let search = ProofOfWork(header: template.header, target: parameters.target)
            let nonce = search.search(from: 0, count: 1 << 20).found?.nonce ?? 0
            _ = try! chain.acceptBlock(template.block(nonce: nonce))
        }
        return chain
    }

    static let plainDictionary: [String: [UInt8]] = Dictionary(
        uniqueKeysWithValues: indexKeys.enumerated().map { ($1, Array("https://host-\($0):8443".utf8)) })

    /// A fresh scratch directory.
    static func scratch() -> String {
        let path = NSTemporaryDirectory() + "keychain-bench-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
