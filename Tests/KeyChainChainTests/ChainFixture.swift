import KeyChainChain
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport

/// A chain over real segment files in a temporary directory, with a hand-moved clock.
final class ChainFixture {
    let directory: TemporaryDirectory
    let parameters: NetworkParameters
    let clock = ManualClock(start: TestNetwork.createdAt + 1_000_000_000)
    let checkpointInterval: Int
    private(set) var chain: Blockchain
    let alice: Identity
    let bob: Identity

    init(difficultyBits: Int = 6, maxBlockSize: Int = 3_000_000, maxValueLength: Int = 64 * 1024, checkpointInterval: Int = 1_000) throws {
        directory = try TemporaryDirectory()
        parameters = try TestNetwork.parameters(difficultyBits: difficultyBits, maxBlockSize: maxBlockSize, maxValueLength: maxValueLength)
        self.checkpointInterval = checkpointInterval
        alice = try TestNetwork.identity(0xA1)
        bob = try TestNetwork.identity(0xB0)
        chain = try Self.open(directory, parameters, clock, checkpointInterval)
    }

    static func open(_ directory: TemporaryDirectory, _ parameters: NetworkParameters, _ clock: ManualClock, _ interval: Int) throws -> Blockchain {
        let store = try SegmentBlockStore(dataDirectory: directory.path, segmentSize: 1 << 20)
        return try Blockchain(parameters: parameters, storage: store, clock: clock.function, checkpointInterval: interval)
    }

    /// Drops the chain without a clean close (as kill -9 would) and opens the data dir again.
    func crashAndReopen() throws {
        chain = try Self.open(directory, parameters, clock, checkpointInterval)
    }

    /// Closes cleanly (checkpoint written) and opens again.
    func closeAndReopen() throws {
        try chain.close()
        chain = try Self.open(directory, parameters, clock, checkpointInterval)
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
        chain.keyIndex.latest(key).map { String(decoding: $0.value, as: UTF8.self) }
    }
}
