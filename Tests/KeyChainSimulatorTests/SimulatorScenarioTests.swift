import KeyChainChain
import KeyChainCore
import KeyChainP2P
import KeyChainSimulator
import KeyChainTestSupport
import Testing

extension SimulatorSuites {
    /// Scenarios on the simulated network, each over several seeds; a failure names its seed.
    @Suite struct SimulatorScenarioTests {
        static let seeds: [UInt64] = [1, 2, 3, 4, 5]

        func network(nodes: Int = 10, seed: UInt64, blockInterval: UInt64 = 1_000, loss: Double = 0) throws -> Simulator {
            var configuration = Simulator.Configuration()
            configuration.nodes = nodes
            configuration.outboundPeers = min(8, nodes - 1)
            configuration.seed = seed
            configuration.blockInterval = blockInterval
            configuration.loss = loss
            return try Simulator(configuration: configuration, parameters: try TestNetwork.parameters(difficultyBits: 1))
        }

        /// Stops mining, lets blocks in flight land, has one node mine a last block (ending any
        /// equal-work tie, which first-seen keeps by design), and lets anti-entropy settle.
        func settle(_ simulator: Simulator, seconds: UInt64 = 15) {
            simulator.mining = false
            simulator.run(for: 6_000)
            simulator.mine(at: 0)
            simulator.run(for: seconds * 1_000)
        }

        @Test(arguments: seeds) func tenNodesConvergeAfterBurstsOfCompetingBlocks(seed: UInt64) throws {
            // Blocks every 150 ms network-wide against 50 ± 20 ms links: many forks.
            let simulator = try network(seed: seed, blockInterval: 150)
            simulator.run(for: 20_000)
            settle(simulator)
            #expect(simulator.tips.count == 1, "seed \(seed): tips \(simulator.tips.map(\.short))")
            #expect(simulator.nodes[0].chain.height > 50, "seed \(seed)")
        }

        @Test(arguments: seeds) func putsReachEveryNodeAndAreMinedOnce(seed: UInt64) throws {
            let simulator = try network(seed: seed)
            var generator = SeededGenerator(seed: seed)
            var keys: [String] = []
            for round in 0..<30 {
                let identity = try TestNetwork.identity(UInt8(round % 5 + 1))
                let key = "seed\(seed)/key\(round)"
                keys.append(key)
                let put = try TestNetwork.put(key, "value \(round)", by: identity, nonce: generator.next())
                simulator.submit(put, at: Int(generator.next() % 10))
                simulator.run(for: 300)
            }
            simulator.run(for: 10_000)
            settle(simulator)
            #expect(simulator.tips.count == 1, "seed \(seed)")
            for node in simulator.nodes {
                for key in keys { #expect(try node.chain.keyIndex.versions(of: key).count == 1, "seed \(seed): node \(node.index) key \(key)") }
            }
        }

        /// A 6/4 split with writes on both sides: after healing, every node holds every write; the
        /// smaller side's writes were re-mined on the winning chain, none lost.
        @Test(arguments: seeds) func partitionHealsAndNoWriteIsLost(seed: UInt64) throws {
            let simulator = try network(seed: seed)
            simulator.run(for: 3_000)
            simulator.partition([Array(0..<6), Array(6..<10)])
            var generator = SeededGenerator(seed: seed ^ 0xABCD)
            var keys: [String] = []
            for round in 0..<20 {
                let side = round % 2 == 0 ? Int(generator.next() % 6) : 6 + Int(generator.next() % 4)
                let key = "split/\(seed)/\(round)"
                keys.append(key)
                simulator.submit(try TestNetwork.put(key, "from node \(side)", by: try TestNetwork.identity(9), nonce: generator.next()), at: side)
                simulator.run(for: 500)
            }
            simulator.run(for: 10_000)
            simulator.heal()
            simulator.run(for: 20_000)
            settle(simulator)
            #expect(simulator.tips.count == 1, "seed \(seed)")
            for node in simulator.nodes {
                let missing = try keys.filter { try node.chain.keyIndex.versions(of: $0).count != 1 }
                #expect(missing.isEmpty, "seed \(seed): node \(node.index) lacks \(missing)")
            }
        }

        @Test(arguments: seeds) func fivePercentLossStillDeliversEverything(seed: UInt64) throws {
            let simulator = try network(seed: seed, loss: 0.05)
            var generator = SeededGenerator(seed: seed)
            var keys: [String] = []
            for round in 0..<20 {
                let key = "lossy/\(seed)/\(round)"
                keys.append(key)
                simulator.submit(try TestNetwork.put(key, "v", by: try TestNetwork.identity(4), nonce: generator.next()), at: Int(generator.next() % 10))
                simulator.run(for: 500)
            }
            simulator.run(for: 15_000)
            settle(simulator, seconds: 30)
            #expect(simulator.tips.count == 1, "seed \(seed)")
            for node in simulator.nodes {
                let missing = try keys.filter { try node.chain.keyIndex.versions(of: $0).count != 1 }
                #expect(missing.isEmpty, "seed \(seed): node \(node.index) lacks \(missing.count) puts")
            }
        }

        @Test(arguments: seeds) func crashedNodeRestartsAndCatchesUp(seed: UInt64) throws {
            let simulator = try network(seed: seed)
            simulator.run(for: 5_000)
            simulator.crash(3)
            simulator.run(for: 20_000)
            let before = simulator.nodes[3].chain.height
            // No peers handed to it: it dials the addresses the tracker gives it.
            try simulator.restart(3, connectingTo: [])
            simulator.run(for: 5_000)
            #expect(simulator.nodes[3].peerProtocol.readyPeers.count >= 8, "seed \(seed)")
            settle(simulator)
            #expect(simulator.tips.count == 1, "seed \(seed)")
            #expect(simulator.nodes[3].chain.height > before + 5, "seed \(seed)")
        }

        /// Each node hears of only 2 others from the tracker; by address exchange (getaddr on each
        /// outbound link, announcements passed on) every node finds 8 outbound peers, and the
        /// network forms one connected whole that agrees on one tip.
        @Test(arguments: seeds) func nodesFindPeersBeyondTheTracker(seed: UInt64) throws {
            var configuration = Simulator.Configuration()
            configuration.nodes = 40
            configuration.trackerPeers = 2
            configuration.seed = seed
            let simulator = try Simulator(configuration: configuration, parameters: try TestNetwork.parameters(difficultyBits: 1))
            simulator.run(for: 30_000)
            for node in simulator.nodes {
                let outbound = node.peers.filter { peer in simulator.nodes[peer].peerProtocol.address(of: PeerID(UInt64(node.index)))?.port != 9_333 }
                #expect(outbound.count == 8, "seed \(seed): node \(node.index) has \(outbound.count) outbound peers")
                #expect(node.peerProtocol.addresses.count >= 20, "seed \(seed): node \(node.index) knows \(node.peerProtocol.addresses.count) addresses")
            }
            settle(simulator)
            #expect(simulator.tips.count == 1, "seed \(seed)")
        }

        /// The same seed gives the same run, message for message.
        @Test func runsAreDeterministic() throws {
            func fingerprint() throws -> (Set<Hash256>, [String: Int], Int) {
                let simulator = try network(seed: 42, blockInterval: 300)
                simulator.run(for: 10_000)
                return (simulator.tips, simulator.messagesSent, simulator.eventsProcessed)
            }
            let first = try fingerprint(), second = try fingerprint()
            #expect(first.0 == second.0)
            #expect(first.1 == second.1)
            #expect(first.2 == second.2)
        }
    }
}
