import KeyChainChain
import KeyChainCore
import KeyChainP2P
import KeyChainSimulator
import KeyChainTestSupport
import KeyChainWire
import Testing

extension SimulatorSuites {
    @Suite struct AdversaryScenarioTests {
        static let seeds: [UInt64] = [11, 12, 13]

        func network(seed: UInt64, nodes: Int = 10, record: Bool = false) throws -> Simulator {
            var configuration = Simulator.Configuration()
            configuration.nodes = nodes
            configuration.outboundPeers = min(8, nodes - 1)
            configuration.seed = seed
            configuration.recordMessages = record
            return try Simulator(configuration: configuration, parameters: try TestNetwork.parameters(difficultyBits: 1))
        }

        /// Node 9 sends its peers a block whose proof of work fails: each bans it, and the rest of
        /// the network goes on and converges.
        @Test(arguments: seeds) func peerSendingInvalidBlocksIsBanned(seed: UInt64) throws {
            let simulator = try network(seed: seed)
            simulator.run(for: 5_000)
            let victims = simulator.nodes[9].peers.sorted()
            let tip = simulator.nodes[9].chain.tip.header
            var forged = BlockHeader(previous: tip.hash, merkleRoot: .zero, timestamp: simulator.now, target: simulator.parameters.target.compact)
            forged = TestNetwork.unsolve(forged, target: simulator.parameters.target)
            for victim in victims {
                simulator.inject(.block(BlockMessage(Block(header: forged, transactions: []))), from: 9, to: victim)
            }
            simulator.run(for: 1_000)
            let heightAtBan = simulator.nodes[0].chain.height
            #expect(Set(simulator.bans.filter { $0.peer == 9 }.map(\.by)) == Set(victims), "seed \(seed)")
            // Node 9 dials again, and every node it knows refuses it while the ban lasts.
            #expect(simulator.nodes[9].peers.isEmpty, "seed \(seed)")
            simulator.run(for: 10_000)
            #expect(simulator.dials.contains { $0.from == 9 && $0.time > simulator.now - 10_000 }, "seed \(seed)")
            #expect(simulator.nodes[9].peers.isEmpty, "seed \(seed)")
            simulator.mining = false
            simulator.run(for: 6_000)
            simulator.mine(at: 0)
            simulator.run(for: 10_000)
            let honest = Set(simulator.nodes.prefix(9).map { $0.chain.tip.hash })
            #expect(honest.count == 1, "seed \(seed)")
            #expect(simulator.nodes[0].chain.height > heightAtBan + 2, "seed \(seed): the honest nodes should go on mining")
        }

        /// An attacker with 60% of the hash power mines a private fork from 6 blocks back and
        /// publishes it when it is longer: the honest nodes reorganise onto it.
        @Test(arguments: seeds) func majorityAttackerOvertakesAndHonestNodesReorganise(seed: UInt64) throws {
            let simulator = try network(seed: seed)
            simulator.run(for: 10_000)
            let attacker = 9
            simulator.setHashShares(Array(repeating: 0.4 / 9, count: 9) + [0.6])
            simulator.partition([Array(0..<9), [attacker]])
            let forkHeight = simulator.nodes[attacker].chain.height
            // Let the honest side get 6 blocks past the fork, then keep the attacker hidden until it
            // is ahead.
            var rounds = 0
            while simulator.nodes[0].chain.height < forkHeight + 6 && rounds < 200 { simulator.run(for: 1_000); rounds += 1 }
            rounds = 0
            while simulator.nodes[attacker].chain.cumulativeWorkOfTip <= simulator.nodes[0].chain.cumulativeWorkOfTip + simulator.parameters.target.work && rounds < 300 {
                simulator.run(for: 1_000)
                rounds += 1
            }
            let honestBlock = simulator.nodes[0].chain.tree.activeNode(at: forkHeight + 1)?.hash
            simulator.mining = false
            simulator.heal()
            simulator.run(for: 15_000)
            let attackerTip = simulator.nodes[attacker].chain.tip.hash
            for node in simulator.nodes {
                #expect(node.chain.tip.hash == attackerTip, "seed \(seed): node \(node.index)")
            }
            if let honestBlock {
                #expect(!simulator.nodes[0].chain.tree.isActive(honestBlock), "seed \(seed): the honest branch should be replaced")
            }
        }

        /// A node with an empty store joins a network 2,000 blocks long and syncs it: headers in
        /// batches of 2,000, bodies from several peers.
        @Test(arguments: seeds) func emptyNodeSyncsTwoThousandBlocksFromSeveralPeers(seed: UInt64) throws {
            let simulator = try network(seed: seed, record: true)
            simulator.mining = false
            simulator.crash(9)
            var blocks: [Block] = []
            var tip = simulator.parameters.genesisBlock.header
            for _ in 0..<2_000 {
                // 1 ms apart: all 2,000 fit inside the 12-block-interval limit of the virtual clock.
                let block = TestNetwork.mine(on: tip, transactions: [], parameters: simulator.parameters, timestampOffset: 1)
                blocks.append(block)
                tip = block.header
            }
            for node in 0..<9 { try simulator.preload(blocks, into: node) }
            try simulator.restart(9, connectingTo: [0, 1, 2, 3])
            simulator.run(for: 60_000)
            #expect(simulator.nodes[9].chain.height == 2_000, "seed \(seed)")
            #expect(simulator.nodes[9].chain.tip.hash == blocks.last?.hash, "seed \(seed)")
            let bodySources = Set(simulator.messageLog.filter { $0.from == 9 && $0.command == "getdata" }.map(\.to))
            #expect(bodySources.count >= 2, "seed \(seed): bodies came from \(bodySources.sorted())")
            let headerBatches = simulator.messageLog.filter { $0.to == 9 && $0.command == "headers" }.count
            #expect(headerBatches >= 2, "seed \(seed)")
        }
    }
}

extension ReadOnlyChain {
    /// The best chain's cumulative work.
    var cumulativeWorkOfTip: Work { tip.cumulativeWork }
}
