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
            // Every node ends on one tip with every put; most blocks reached every node as a
            // tip (one that lost a race stops where the winner got first, and the winner then
            // reaches those nodes inside a longer branch).
            #expect(report.tips == 1)
            #expect(report.putsEverywhere == report.puts)
            #expect(report.blocksEverywhere * 10 >= report.blocks.count * 8, "\(report.blocksEverywhere) of \(report.blocks.count)")
            // Pushed, not announced and asked for: a block is requested only where a push
            // missed (a branch a node lacks the parent of, the 5 s anti-entropy the flood keeps
            // from the headers relay), and never as a compact block.
            let pushed = report.messagesSent["block"] ?? 0
            #expect((report.messagesSent["getdata.block"] ?? 0) * 20 < pushed, "\(report.messagesSent)")
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
            #expect(compact.tips == 1 && flood.tips == 1)
            #expect(compact.blockBytesPerBlock * 3 < flood.blockBytesPerBlock,
                    "compact \(compact.blockBytesPerBlock) against flood \(flood.blockBytesPerBlock) bytes a block")
        }
    }
}
