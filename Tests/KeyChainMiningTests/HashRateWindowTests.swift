import KeyChainMining
import Testing

/// The miner's recent hash rate, on explicit times: what a rate since start would hide.
@Suite struct HashRateWindowTests {
    struct Story: Sendable, CustomStringConvertible {
        let description: String
        /// Hashes added twice a second over seconds `from..<to` after the window began. At a
        /// whole second the current one is empty, so the rate covers the nine before it.
        let bursts: [(from: Int, to: Int, hashesASecond: UInt64)]
        let at: Double
        let rate: Double
    }

    static let stories: [Story] = [
        .init(description: "steady, younger than the window", bursts: [(0, 5, 1_000)], at: 5, rate: 1_000),
        .init(description: "steady, older than the window", bursts: [(0, 20, 1_000)], at: 20, rate: 1_000),
        .init(description: "a jump shows in full once the window has passed", bursts: [(0, 20, 1_000), (20, 30, 5_000)], at: 30, rate: 5_000),
        .init(description: "halfway through a jump", bursts: [(0, 20, 1_000), (20, 25, 5_000)], at: 25, rate: (4 * 1_000 + 5 * 5_000) / 9),
        .init(description: "idle for longer than the window", bursts: [(0, 5, 1_000)], at: 30, rate: 0),
        .init(description: "a burst, then idle within the window", bursts: [(0, 2, 10_000)], at: 4, rate: 5_000),
        .init(description: "nothing yet", bursts: [], at: 3, rate: 0),
    ]

    @Test(arguments: stories) func theRateCoversTheLastSeconds(_ story: Story) {
        var window = HashRateWindow(start: 100)
        for burst in story.bursts {
            for second in burst.from..<burst.to {
                window.add(burst.hashesASecond / 2, at: 100 + Double(second) + 0.25)
                window.add(burst.hashesASecond / 2, at: 100 + Double(second) + 0.75)
            }
        }
        #expect(abs(window.rate(at: 100 + story.at) - story.rate) < 0.001, "\(window.rate(at: 100 + story.at))")
    }
}
