import KeyChainCore
import KeyChainP2P
import KeyChainTestSupport
import KeyChainWire
import Testing

/// Rebuilding a block from a compact block and the puts a node holds: what it finds, what it
/// asks for, and answers that do not fit.
@Suite struct CompactBlockAssemblyTests {
    /// A block of ten puts (not mined: assembly does not look at the proof of work).
    static func block() throws -> Block {
        let author = try TestNetwork.identity(0x31)
        let puts = try (0..<10).map { try TestNetwork.put("compact/\($0)", "value \($0)", by: author) }
        let header = BlockHeader(previous: Hash256(sha256d: [1]), merkleRoot: MerkleTree.root(puts.map(\.id)),
                                 timestamp: TestNetwork.createdAt + 1_000, target: 0x2004_0000)
        return Block(header: header, transactions: puts)
    }

    @Test func aBlockWhosePutsAreAllHeldIsWholeAtOnce() throws {
        let block = try Self.block()
        let assembly = try CompactBlockAssembly(CompactBlockMessage(block: block, nonce: 1), candidates: block.transactions.reversed())
        #expect(assembly.missing.isEmpty)
        #expect(assembly.block == block)
        #expect(assembly.hash == block.hash)
    }

    @Test func missingPutsAreAskedForAroundThePrefilledOnes() throws {
        let block = try Self.block()
        let message = CompactBlockMessage(block: block, nonce: 2, prefilling: [0, 4])
        // The node holds every put but those at 2, 7 and 9 (and those prefilled, which it lacks too).
        let held = block.transactions.enumerated().filter { ![0, 2, 4, 7, 9].contains($0.offset) }.map(\.element)
        var assembly = try CompactBlockAssembly(message, candidates: held + [try TestNetwork.put("other", "x", by: try TestNetwork.identity(0x32))])
        #expect(assembly.missing == [2, 7, 9])
        #expect(assembly.block == nil)
        try assembly.fill(BlockTransactionsMessage(block: block.hash, transactions: [2, 7, 9].map { block.transactions[$0] }))
        #expect(assembly.block == block)
    }

    @Test func anAnswerThatDoesNotFitIsRefused() throws {
        let block = try Self.block()
        var assembly = try CompactBlockAssembly(CompactBlockMessage(block: block, nonce: 3), candidates: block.transactions.dropFirst(2))
        #expect(assembly.missing == [0, 1])
        #expect(throws: CompactBlockError.wrongCount(asked: 2, sent: 1)) {
            try assembly.fill(BlockTransactionsMessage(block: block.hash, transactions: [block.transactions[0]]))
        }
        let other = Hash256(sha256d: [9])
        #expect(throws: CompactBlockError.otherBlock(other)) {
            try assembly.fill(BlockTransactionsMessage(block: other, transactions: Array(block.transactions.prefix(2))))
        }
        #expect(assembly.missing == [0, 1], "a refused answer leaves the assembly as it was")
    }

    @Test func aRepeatedShortIDCannotBeRebuilt() throws {
        let block = try Self.block()
        var message = CompactBlockMessage(block: block, nonce: 4)
        message.shortIDs[3] = message.shortIDs[1]
        #expect(throws: CompactBlockError.repeatedShortID(message.shortIDs[1])) {
            try CompactBlockAssembly(message, candidates: block.transactions)
        }
    }

    /// A put the node holds under another short id fills nothing: only the ids decide.
    @Test func putsOfOtherBlocksFillNothing() throws {
        let block = try Self.block()
        let strangers = try (0..<50).map { try TestNetwork.put("stranger/\($0)", "s", by: try TestNetwork.identity(0x33)) }
        let assembly = try CompactBlockAssembly(CompactBlockMessage(block: block, nonce: 5), candidates: strangers)
        #expect(assembly.missing == Array(0..<10))
    }
}
