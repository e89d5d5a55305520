import KeyChainChain
import KeyChainCore
import KeyChainTestSupport
import Testing

/// A retargeting network's blocks carry the ASERT schedule's targets (PROTOCOL.md §6): the
/// rule as a table of (parent height, parent timestamp) → target, then a chain that keeps it,
/// refuses a block that does not, and weighs each block by its own target.
@Suite struct RetargetingTests {
    /// The network of PROTOCOL.md §5's second vector: 20 bits, 1,000 ms, half-life 30.
    static func golden() throws -> NetworkParameters {
        try NetworkParameters(name: "keychain-golden", difficultyBits: 20, createdAt: TestNetwork.createdAt,
                              retargeting: .asert(halfLifeIntervals: 30))
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let parentHeight: UInt32
        /// Parent timestamp less the genesis timestamp, ms.
        let parentTime: Int64
        let target: UInt32
        let why: String
        var testDescription: String { why }
    }

    /// Computed by `Tests/KeyChainCoreTests/Vectors/asert/make-keychain-runs.py`'s `next_target`,
    /// an implementation of its own in Python integers.
    static let rows: [Row] = [
        Row(parentHeight: 0, parentTime: 0, target: 0x1E10_0000, why: "on schedule: the genesis target"),
        Row(parentHeight: 1, parentTime: 1_000, target: 0x1E10_0000, why: "one block, one interval later: unchanged"),
        Row(parentHeight: 0, parentTime: 30_000, target: 0x1E20_0000, why: "a half-life behind: twice as easy"),
        Row(parentHeight: 99, parentTime: 159_000, target: 0x1E40_0000, why: "two half-lives behind: four times as easy"),
        Row(parentHeight: 1, parentTime: 0, target: 0x1E0F_A2B0, why: "an interval ahead: 2^(-1/30) of the target"),
        Row(parentHeight: 5, parentTime: -1_000_000, target: 0x1A05_A808, why: "far ahead: much harder"),
        Row(parentHeight: 0, parentTime: 3_600_000, target: 0x2100_8000, why: "an hour behind: the easiest target, 2^255"),
    ]

    @Test(arguments: rows) func scheduleTargets(_ row: Row) throws {
        let parameters = try Self.golden()
        let time = UInt64(Int64(TestNetwork.createdAt) + row.parentTime)
        #expect(parameters.target(afterHeight: row.parentHeight, parentTimestamp: time).compact == row.target)
    }

    @Test func aFixedNetworkAsksTheGenesisTargetAlways() throws {
        let parameters = try TestNetwork.parameters(difficultyBits: 20)
        for (height, time) in [(UInt32(0), TestNetwork.createdAt), (99, TestNetwork.createdAt + 3_600_000), (5, TestNetwork.createdAt - 1_000_000)] {
            #expect(parameters.target(afterHeight: height, parentTimestamp: time).compact == 0x1E10_0000)
        }
    }

    /// Blocks ten times faster than the schedule: targets harden block by block, the chain
    /// accepts each with the schedule's target, and its work is the sum of each block's.
    @Test func aChainFollowsTheScheduleAndWeighsEachBlock() throws {
        let fixture = try ChainFixture(difficultyBits: 6, retargeting: .asert(halfLifeIntervals: 30))
        let validator = BlockValidator(parameters: fixture.parameters)
        var expectedWork = fixture.parameters.target.work
        var targets: [Target] = []
        for _ in 0..<60 {
            let parent = fixture.chain.tip
            let target = validator.requiredTarget(after: parent)
            let block = TestNetwork.mine(on: parent.header, transactions: [], parameters: fixture.parameters, timestampOffset: 100, target: target)
            try fixture.chain.acceptBlock(block)
            expectedWork = expectedWork + target.work
            targets.append(target)
        }
        #expect(fixture.chain.height == 60)
        #expect(fixture.chain.tip.cumulativeWork == expectedWork)
        // 60 blocks 900 ms early each: 54 s ahead, 1.8 half-lives, 3.5 times the work a block.
        let last = try #require(targets.last)
        #expect(last.work.value > fixture.parameters.target.work.value * 3)
        #expect(last.work.value < fixture.parameters.target.work.value * 4)
        #expect(zip(targets, targets.dropFirst()).allSatisfy { $1.value < $0.value })

        // The genesis target is no longer the one asked for.
        let stale = TestNetwork.mine(on: fixture.chain.tip.header, transactions: [], parameters: fixture.parameters)
        let required = validator.requiredTarget(after: fixture.chain.tip)
        #expect(throws: BlockError.wrongTarget(expected: required.compact, actual: fixture.parameters.target.compact)) {
            try fixture.chain.acceptBlock(stale)
        }

        // A restart weighs the stored blocks the same way.
        try fixture.crashAndReopen()
        #expect(fixture.chain.tip.cumulativeWork == expectedWork)
    }

    /// A timestamp as far ahead as the future-time limit allows eases the next target by at
    /// most 2^(6/30): the limit is what bounds a miner's pull on the target.
    @Test func theFutureLimitBoundsHowFarOneTimestampEasesTheTarget() throws {
        let parameters = try Self.golden()
        let onTime = parameters.target(afterHeight: 1, parentTimestamp: TestNetwork.createdAt + 1_000)
        let ahead = parameters.target(afterHeight: 1, parentTimestamp: TestNetwork.createdAt + 1_000
                                        + NetworkParameters.maxFutureBlockIntervals * 1_000)
        let ratio = Double(onTime.work.value) / Double(ahead.work.value)
        #expect(abs(ratio - 1.1487) < 0.001, "eased \(ratio)x")
    }
}
