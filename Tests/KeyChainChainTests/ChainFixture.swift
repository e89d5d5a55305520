import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport

/// A chain over real segment files in a temporary directory, with a hand-moved clock.
final class ChainFixture {
    let directory: TemporaryDirectory
    let parameters: NetworkParameters
    let clock = ManualClock(start: TestNetwork.createdAt + 1_000_000_000)
    private(set) var chain: Blockchain
    let alice: Identity
    let bob: Identity

    init(difficultyBits: Int = 6, maxBlockSize: Int = 3_000_000, maxValueLength: Int = 64 * 1024, retargeting: Retargeting = .fixed) throws {
        directory = try TemporaryDirectory()
        parameters = try TestNetwork.parameters(difficultyBits: difficultyBits, maxBlockSize: maxBlockSize, maxValueLength: maxValueLength,
                                                retargeting: retargeting)
        alice = try TestNetwork.identity(0xA1)
        bob = try TestNetwork.identity(0xB0)
        chain = try Self.open(directory, parameters, clock)
    }

    static func open(_ directory: TemporaryDirectory, _ parameters: NetworkParameters, _ clock: ManualClock) throws -> Blockchain {
        let store = try SegmentBlockStore(dataDirectory: directory.path, segmentSize: 1 << 20)
        return try Blockchain(parameters: parameters, storage: store, clock: clock.function)
    }

    /// Drops the chain without a clean close (as kill -9 would) and opens the data dir again.
    /// The key index's writer first finishes what it was handed, so that it does not write
    /// under the reopened chain; a test that wants the index behind the blocks puts back a
    /// copy taken earlier (`copyKeyIndex`, `restoreKeyIndex`).
    func crashAndReopen() throws {
        chain.awaitKeyIndexWritten()
        chain = try Self.open(directory, parameters, clock)
    }

    /// The key index's database files, copied aside once its writer has recorded every update.
    func copyKeyIndex() throws -> TemporaryDirectory {
        chain.awaitKeyIndexWritten()
        let copy = try TemporaryDirectory()
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: directory.file("keyindex.sqlite" + suffix)) {
            try FileManager.default.copyItem(atPath: directory.file("keyindex.sqlite" + suffix), toPath: copy.file("keyindex.sqlite" + suffix))
        }
        return copy
    }

    /// Drops the chain (as kill -9 would), puts back the key index `copyKeyIndex` took, and
    /// opens the data dir again: the index is then behind the blocks, or on another branch.
    func restoreKeyIndexAndReopen(from copy: TemporaryDirectory) throws {
        chain.awaitKeyIndexWritten()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: directory.file("keyindex.sqlite" + suffix)) }
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: copy.file("keyindex.sqlite" + suffix)) {
            try FileManager.default.copyItem(atPath: copy.file("keyindex.sqlite" + suffix), toPath: directory.file("keyindex.sqlite" + suffix))
        }
        chain = try Self.open(directory, parameters, clock)
    }

    /// Closes cleanly and opens again.
    func closeAndReopen() throws {
        try chain.close()
        chain = try Self.open(directory, parameters, clock)
    }

    /// A mined block on `parent`.
    func block(on parent: BlockHeader, _ transactions: [Transaction] = [], offset: UInt64 = 1_000) -> Block {
        TestNetwork.mine(on: parent, transactions: transactions, parameters: parameters, timestampOffset: offset)
    }

    /// A chain of `count` mined blocks on `parent`, each holding `puts(index)`.
    func branch(on parent: BlockHeader, count: Int, offset: UInt64 = 1_000, puts: (Int) throws -> [Transaction] = { _ in [] }) rethrows -> [Block] {
        var blocks: [Block] = []
        var tip = parent
        for index in 0..<count {
            let next = block(on: tip, try puts(index), offset: offset)
            blocks.append(next)
            tip = next.header
        }
        return blocks
    }

    func put(_ key: String, _ value: String, by identity: Identity, expectedVersion: UInt64? = nil) throws -> Transaction {
        try TestNetwork.put(key, value, by: identity, expectedVersion: expectedVersion)
    }

    /// The latest value of `key` as text.
    func value(_ key: String) -> String? {
        guard let latest = try? chain.keyIndex.latest(key) else { return nil }
        return String(decoding: latest.version.value, as: UTF8.self)
    }
}
