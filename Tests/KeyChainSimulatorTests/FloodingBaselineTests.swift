import KeyChainSimulator
import Testing

extension SimulatorSuites {
    /// The push-flooding baseline (`--relay flood`) that `experiments/broadcast.py` measures the
    /// relay against: every block and put crosses every link without being asked for, so its
    /// cost is counted, not taken from the n(d-1) formula.
    @Suite struct FloodingBaselineTests {
        static func scenario(relay: String, putsPerSecond: Double = 2) -> Scenario {
            var scenario = Scenario()
            scenario.nodes = 30
            scenario.outbound = 4
            scenario.putsPerSecond = putsPerSecond
            scenario.durationSeconds = 20
            scenario.settleSeconds = 10
            scenario.relay = relay
            scenario.seed = 5
            return scenario
        }

        @Test func floodingPushesEveryBlockAndPutWholeOverTheLinksWithoutARequest() throws {
            let report = try Self.scenario(relay: "flood").run()
            #expect(report.blocks.count >= 10)
            #expect(report.blocksEverywhere == report.blocks.count, "\(report.blocksEverywhere) of \(report.blocks.count) blocks everywhere")
            #expect(report.putsEverywhere == report.puts)
            // Pushed, not announced and asked for: no block is requested, no put announced
            // but by the 5 s anti-entropy (the headers relay's repair, which flooding keeps).
            #expect(report.messagesSent["getdata.block"] == nil, "\(report.messagesSent)")
            #expect(report.messagesSent["cmpctblock"] == nil)
            let blocks = Double(report.messagesSent["block"] ?? 0) / Double(report.blocks.count)
            let puts = Double(report.messagesSent["tx"] ?? 0) / Double(report.puts)
            // Each copy crosses a link at most once each way, and every node but the source
            // receives at least one: n - 1 <= copies <= 2 x links.
            for copies in [blocks, puts] {
                #expect(copies >= Double(report.nodes - 1) && copies <= Double(2 * report.links), "\(copies) copies, \(report.links) links")
            }
            // The textbook figure n(d - 1) is what a flood costs; the count lands near it.
            #expect(abs(blocks / report.flooding - 1) < 0.25, "\(blocks) block copies against n(d-1) = \(report.flooding)")
        }

        @Test func compactBlocksCarryABlockInFewerBytesThanTheFlood() throws {
            // About 20 puts a block, which every peer already holds when the block comes.
            let flood = try Self.scenario(relay: "flood", putsPerSecond: 20).run()
            let compact = try Self.scenario(relay: "compact", putsPerSecond: 20).run()
            #expect(compact.blocksEverywhere == compact.blocks.count)
            #expect(compact.blockBytesPerBlock * 3 < flood.blockBytesPerBlock,
                    "compact \(compact.blockBytesPerBlock) against flood \(flood.blockBytesPerBlock) bytes a block")
        }
    }
}
