import KeyChainChain
import KeyChainCore
import KeyChainTestSupport
import Testing

/// One row per consensus rule: a block that keeps it is accepted, one that breaks it is
/// refused with the rule's error. The chain below each case holds genesis and one block in
/// which alice wrote "owned" once (txid `context.ownedPut`).
@Suite struct ValidationRuleTests {
    struct Context {
        let fixture: ChainFixture
        let tip: BlockHeader
        let ownedPut: Transaction
        var parameters: NetworkParameters { fixture.parameters }
        var alice: Identity { fixture.alice }
        var bob: Identity { fixture.bob }
        func block(_ transactions: [Transaction] = [], offset: UInt64 = 1_000) -> Block {
            fixture.block(on: tip, transactions, offset: offset)
        }
        /// A block with a hand-edited header, mined again (or deliberately not).
        func block(editing edit: (inout BlockHeader) -> Void, transactions: [Transaction] = [], solve: Bool = true) -> Block {
            var header = BlockHeader(previous: tip.hash, merkleRoot: MerkleTree.root(transactions.map(\.id)),
                                     timestamp: tip.timestamp + 1_000, target: parameters.target.compact)
            edit(&header)
            if solve, let target = try? Target(compact: header.target) {
                header.nonce = TestNetwork.solve(header, target: target)
            } else {
                header = TestNetwork.unsolve(header, target: parameters.target)
            }
            return Block(header: header, transactions: transactions)
        }
    }

    struct Rule: Sendable, CustomTestStringConvertible {
        let name: String
        let valid: @Sendable (Context) throws -> Block
        let invalid: @Sendable (Context) throws -> Block
        let error: @Sendable (Block) -> BlockError
        var testDescription: String { name }
    }

    static let rules: [Rule] = [
        Rule(name: "header version",
             valid: { $0.block() },
             invalid: { $0.block(editing: { $0.version = 2 }) },
             error: { _ in .badVersion(2) }),
        Rule(name: "network target",
             valid: { $0.block() },
             invalid: { $0.block(editing: { $0.target = 0x2000_FFFF }) },
             error: { _ in .wrongTarget(expected: 0x2004_0000, actual: 0x2000_FFFF) }),
        Rule(name: "proof of work",
             valid: { $0.block() },
             invalid: { $0.block(editing: { _ in }, solve: false) },
             error: { _ in .insufficientProofOfWork }),
        Rule(name: "previous block known",
             valid: { $0.block() },
             invalid: { $0.block(editing: { $0.previous = Hash256(sha256d: [1]) }) },
             error: { _ in .unknownParent(Hash256(sha256d: [1])) }),
        Rule(name: "timestamp after the median of the last 11",
             valid: { context in context.block(editing: { $0.timestamp = context.tip.timestamp + 1 }) },  // median of (genesis, tip) is tip's
             invalid: { context in context.block(editing: { $0.timestamp = context.tip.timestamp }) },
             error: { block in .timestampNotAfterMedian(timestamp: block.header.timestamp, median: block.header.timestamp) }),
        Rule(name: "timestamp at most 6 block intervals ahead",
             valid: { context in context.block(editing: { $0.timestamp = context.fixture.clock.milliseconds + 6_000 }) },
             invalid: { context in context.block(editing: { $0.timestamp = context.fixture.clock.milliseconds + 6_001 }) },
             error: { block in .timestampTooFarAhead(timestamp: block.header.timestamp, limit: block.header.timestamp - 1) }),
        Rule(name: "merkle root",
             valid: { try $0.block([$0.fixture.put("m", "1", by: $0.alice)]) },
             invalid: { context in
                 let put = try context.fixture.put("m", "1", by: context.alice)
                 return context.block(editing: { $0.merkleRoot = Hash256(sha256d: [7]) }, transactions: [put])
             },
             error: { _ in .badMerkleRoot }),
        Rule(name: "block size limit",
             valid: { context in try context.block((0..<2).map { try TestNetwork.put("big\($0)", String(repeating: "x", count: 16_000), by: context.alice) }) },
             invalid: { context in try context.block((0..<3).map { try TestNetwork.put("big\($0)", String(repeating: "x", count: 16_000), by: context.alice) }) },
             error: { block in .tooLarge(size: block.encodedSize, maximum: 32_768) }),
        Rule(name: "value size limit",
             valid: { try $0.block([TestNetwork.put("v", String(repeating: "y", count: 16_384), by: $0.alice)]) },
             invalid: { try $0.block([TestNetwork.put("v", String(repeating: "y", count: 16_385), by: $0.alice)]) },
             error: { block in .badTransaction(block.transactions[0].id, .valueTooLarge(size: 16_385, maximum: 16_384)) }),
        Rule(name: "no txid twice in a block",
             valid: { try $0.block([$0.fixture.put("d", "1", by: $0.alice), $0.fixture.put("d", "2", by: $0.alice)]) },
             invalid: { context in
                 let put = try context.fixture.put("d", "1", by: context.alice)
                 return context.block([put, put])
             },
             error: { block in .duplicateTransaction(block.transactions[0].id) }),
        Rule(name: "signature",
             valid: { try $0.block([$0.fixture.put("s", "1", by: $0.alice)]) },
             invalid: { context in
                 let put = try context.fixture.put("s", "1", by: context.alice)
                 return context.block([put.withSignature(context.bob.sign(put.id.bytes))])
             },
             error: { block in .badTransaction(block.transactions[0].id, .badSignature) }),
        Rule(name: "only the owner adds versions",
             valid: { try $0.block([$0.fixture.put("owned", "2", by: $0.alice)]) },
             invalid: { try $0.block([$0.fixture.put("owned", "2", by: $0.bob)]) },
             error: { block in .badTransaction(block.transactions[0].id, .notOwner(key: "owned", owner: ValidationRuleTests.ownerOfOwned)) }),
        Rule(name: "compare-and-set",
             valid: { try $0.block([$0.fixture.put("owned", "2", by: $0.alice, expectedVersion: 1)]) },
             invalid: { try $0.block([$0.fixture.put("owned", "2", by: $0.alice, expectedVersion: 0)]) },
             error: { block in .badTransaction(block.transactions[0].id, .conflict(key: "owned", expected: 0, actual: 1)) }),
        Rule(name: "no replay of a confirmed txid",
             valid: { try $0.block([$0.fixture.put("owned", "again", by: $0.alice)]) },
             invalid: { $0.block([$0.ownedPut]) },
             error: { block in .badTransaction(block.transactions[0].id, .alreadyConfirmed(block.transactions[0].id)) }),
    ]

    /// alice's public key, as the owner in the ownership row.
    static let ownerOfOwned: PublicKey = (try? TestNetwork.identity(0xA1).publicKey) ?? PublicKey(raw: .zero)

    func context() throws -> Context {
        let fixture = try ChainFixture(maxBlockSize: 32_768, maxValueLength: 16_384)
        let owned = try fixture.put("owned", "1", by: fixture.alice)
        let first = fixture.block(on: fixture.chain.tip.header, [owned])
        try fixture.chain.acceptBlock(first)
        return Context(fixture: fixture, tip: first.header, ownedPut: owned)
    }

    @Test(arguments: rules) func ruleAcceptsTheValidAndRefusesTheInvalid(_ rule: Rule) throws {
        let valid = try context()
        let good = try rule.valid(valid)
        let update = try valid.fixture.chain.acceptBlock(good)
        #expect(update.connected == [good.hash])
        #expect(valid.fixture.chain.tip.hash == good.hash)

        let invalid = try context()
        let bad = try rule.invalid(invalid)
        #expect(throws: rule.error(bad)) { try invalid.fixture.chain.acceptBlock(bad) }
        #expect(invalid.fixture.chain.tip.hash == invalid.tip.hash)
    }
}
