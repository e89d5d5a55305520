import KeyChainSimulator
import Testing

/// The simulator draws each block's time from its target and the network's absolute hash
/// rate: on a retargeting network a tenfold jump in hash power first brings blocks ten times
/// faster, then ASERT brings them back to the interval; on a fixed one they stay fast.
@Suite struct RetargetingScenarioTests {
    static func scenario(halfLife: UInt32?) -> Scenario {
        var scenario = Scenario()
        scenario.nodes = 5
        scenario.difficultyBits = 8
        scenario.halfLifeIntervals = halfLife
        scenario.durationSeconds = 300
        scenario.settleSeconds = 5
        scenario.seed = 7
        scenario.events = [.init(at: 60, .hashPower(10))]
        return scenario
    }

    /// The best chain's blocks mined in [from, to) seconds of the run: their expected intervals.
    static func expected(_ report: SimulationReport, from: Double, to: Double) -> [Double] {
        report.blocks.filter { $0.onBestChain && Double($0.minedAt) / 1_000 - 1 >= from && Double($0.minedAt) / 1_000 - 1 < to }
            .map(\.expectedInterval)
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

    @Test func aRetargetingNetworkReturnsToItsIntervalAfterAJump() throws {
        let report = try Self.scenario(halfLife: 10).run()
        let before = Self.expected(report, from: 10, to: 60)
        let justAfter = Self.expected(report, from: 60, to: 62)
        let settled = Self.expected(report, from: 200, to: 300)
        #expect(abs(Self.mean(before) - 1_000) < 100, "before the jump: \(Self.mean(before)) ms")
        #expect(!justAfter.isEmpty && Self.mean(justAfter) < 250, "just after the jump: \(justAfter)")
        // A 10-block half-life follows fast and wanders by a fifth or so: the tight figures are
        // the retargeting benchmark's, over 60 seeds at a half-life of 30.
        #expect(abs(Self.mean(settled) - 1_000) < 250, "100 s later: \(Self.mean(settled)) ms over \(settled.count) blocks")
        // Blocks came at about the interval once settled: 100 s, about 100 blocks.
        #expect((60...140).contains(settled.count), "\(settled.count) blocks in 100 s")
        #expect(report.tips == 1)
    }

    @Test func aFixedNetworkStaysFastAfterAJump() throws {
        let report = try Self.scenario(halfLife: nil).run()
        let settled = Self.expected(report, from: 200, to: 300)
        #expect(abs(Self.mean(settled) - 100) < 1, "a fixed target at ten times the hash rate: \(Self.mean(settled)) ms")
        #expect(settled.count > 400, "\(settled.count) blocks on the best chain in 100 s")
    }
}
