import Foundation
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport

/// A linked chain of blocks (proof of work is not the store's business) and helpers to copy,
/// cut and damage a store's files.
struct StoreFixture {
    let blocks: [Block]

    init(count: Int, putsPerBlock: Int = 1) throws {
        let identity = try TestNetwork.identity(9)
        var blocks: [Block] = []
        var previous = Hash256.zero
        for height in 0..<count {
            let puts = try (0..<(height == 0 ? 0 : putsPerBlock)).map {
                try TestNetwork.put("key-\(height)-\($0)", "value at height \(height), put \($0)", by: identity)
            }
            let header = BlockHeader(previous: previous, merkleRoot: MerkleTree.root(puts.map(\.id)),
                                     timestamp: TestNetwork.createdAt + UInt64(height), target: 0x2000_FFFF, nonce: UInt64(height))
            let block = Block(header: header, transactions: puts)
            blocks.append(block)
            previous = block.hash
        }
        self.blocks = blocks
    }

    /// Appends blocks `range` one by one (one fsync each, as a node does).
    func write(_ store: SegmentBlockStore, _ range: Range<Int>) throws {
        for height in range {
            try store.append(blocks[height], height: UInt32(height), cumulativeWork: Work(UInt128(height + 1)))
        }
    }

    static func copy(_ from: String, to: String) throws {
        try? FileManager.default.removeItem(atPath: to)
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    static func size(_ path: String) throws -> UInt64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
    }

    static func truncate(_ path: String, to length: UInt64) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: length)
        try handle.close()
    }

    static func flipByte(_ path: String, at offset: UInt64) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[Int(offset)] ^= 0x5A
        try data.write(to: URL(fileURLWithPath: path))
    }

    static func segment(_ dataDir: String, _ number: Int) -> String {
        "\(dataDir)/blocks/" + String(format: "%09d.seg", number)
    }
}
