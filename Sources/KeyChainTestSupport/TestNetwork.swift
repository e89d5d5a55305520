import KeyChainChain
import KeyChainCore
import KeyChainMining
import KeyChainStore

/// Networks, identities and mined blocks for tests: low difficulty so that a debug build
/// mines hundreds of blocks a second.
public enum TestNetwork {
    /// A fixed creation time so that genesis hashes are stable across runs.
    public static let createdAt: UInt64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z

    /// Parameters of a small test network.
    public static func parameters(
        difficultyBits: Int = 6, maxBlockSize: Int = 3_000_000, maxValueLength: Int = 64 * 1024, name: String = "testnet",
        retargeting: Retargeting = .fixed
    ) throws -> NetworkParameters {
        try NetworkParameters(name: name, difficultyBits: difficultyBits, maxBlockSize: maxBlockSize,
                              maxValueLength: maxValueLength, createdAt: createdAt, retargeting: retargeting)
    }

    /// A deterministic identity from a small number.
    public static func identity(_ seed: UInt8) throws -> Identity {
        try Identity(seed: [UInt8](repeating: seed, count: 32))
    }

    /// A signed put with a nonce derived from its content, so tests are repeatable.
    public static func put(
        _ key: String, _ value: String, by identity: Identity, expectedVersion: UInt64? = nil, nonce: UInt64? = nil
    ) throws -> Transaction {
        let fixed = nonce ?? Hash256(sha256d: Array((key + "=" + value).utf8)).raw.w0
        return try Transaction.signed(key: key, value: Array(value.utf8), expectedVersion: expectedVersion, nonce: fixed, by: identity)
    }

    /// A valid block on `parent` holding `transactions`, mined on the spot. `timestampOffset`
    /// (milliseconds after the parent) lets two siblings differ; `target` is the genesis
    /// target unless given (a retargeting network's comes from `BlockValidator.requiredTarget`).
    public static func mine(
        on parent: BlockHeader, transactions: [Transaction], parameters: NetworkParameters,
        timestampOffset: UInt64 = 1_000, merkleRoot: Hash256? = nil, target: Target? = nil
    ) -> Block {
        let target = target ?? parameters.target
        var header = BlockHeader(previous: parent.hash, merkleRoot: merkleRoot ?? MerkleTree.root(transactions.map(\.id)),
                                 timestamp: parent.timestamp + timestampOffset, target: target.compact)
        header.nonce = solve(header, target: target)
        return Block(header: header, transactions: transactions)
    }

    /// The first nonce that meets `target`.
    public static func solve(_ header: BlockHeader, target: Target) -> UInt64 {
        let search = ProofOfWork(header: header, target: target)
        var start: UInt64 = 0
        while true {
            let outcome = search.search(from: start, count: 1 << 16)
            if let found = outcome.found { return found.nonce }
            start += outcome.hashes
        }
    }

    /// A header with a nonce that does NOT meet `target` (for rejection tests).
    public static func unsolve(_ header: BlockHeader, target: Target) -> BlockHeader {
        var copy = header
        for nonce in UInt64(0)... {
            copy.nonce = nonce
            if !target.isMet(by: copy.hash) { return copy }
        }
        return copy
    }

    /// Mines `count` blocks on the chain's tip through the mempool, submitting `puts(height)`
    /// before each one. Returns the blocks.
    @discardableResult
    public static func extend(
        _ chain: Blockchain, blocks count: Int, clock: ManualClock? = nil, puts: (Int) throws -> [Transaction] = { _ in [] }
    ) throws -> [Block] {
        var made: [Block] = []
        for index in 0..<count {
            for put in try puts(index) { try chain.submit(put) }
            clock?.advance(by: 1_000)
            let template = chain.makeTemplate(now: max(clock?.milliseconds ?? 0, chain.tip.header.timestamp + 1_000))
            let block = template.block(nonce: solve(template.header, target: template.target))
            try chain.acceptBlock(block)
            made.append(block)
        }
        return made
    }
}
