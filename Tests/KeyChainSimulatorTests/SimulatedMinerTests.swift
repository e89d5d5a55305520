import KeyChainChain
import KeyChainCore
import KeyChainMining
import KeyChainSimulator
import KeyChainTestSupport
import KeyChainWire
import Testing

extension SimulatorSuites {
    /// A simulated node's miner is driven as a node's owner drives it: what it mines on is its
    /// current template, which puts join only at a refresh, and which it drops while a better
    /// block's body is awaited.
    @Suite struct SimulatedMinerTests {
        func network(seed: UInt64 = 7) throws -> Simulator {
            var configuration = Simulator.Configuration()
            configuration.nodes = 3
            configuration.outboundPeers = 2
            configuration.seed = seed
            let simulator = try Simulator(configuration: configuration, parameters: try TestNetwork.parameters(difficultyBits: 1))
            simulator.mining = false
            simulator.run(for: 2_000)  // handshakes
            return simulator
        }

        /// A put joins the miner's template at the next refresh, 100 ms later, not at once.
        @Test func aPutJoinsTheTemplateAtTheNextRefresh() throws {
            let simulator = try network()
            let put = try TestNetwork.put("sim/put", "v", by: try TestNetwork.identity(3))
            #expect(simulator.nodes[0].template?.transactions.isEmpty == true)
            simulator.submit(put, at: 0)
            #expect(simulator.nodes[0].template?.transactions.isEmpty == true, "taken before the refresh")
            simulator.run(for: 150)
            #expect(simulator.nodes[0].template?.transactions.map(\.id) == [put.id])
        }

        /// A better block's header without its body pauses the miner: it has no template, so
        /// its mining draws find nothing, until the pause runs out and it mines on the tip again.
        @Test func aMinerPausesForABetterBlocksBodyThenGoesOn() throws {
            let simulator = try network()
            let parameters = simulator.parameters
            let tip = simulator.nodes[1].chain.tip.header
            // A valid block no node holds: its header is announced, its body never comes.
            let unseen = TestNetwork.mine(on: tip, transactions: [], parameters: parameters, timestampOffset: 7)
            simulator.inject(.headers(HeadersMessage(headers: [unseen.header])), from: 0, to: 1)
            simulator.run(for: 200)
            #expect(simulator.nodes[1].peerProtocol.awaitsBetterBlock)
            #expect(simulator.nodes[1].template == nil, "mining on the old tip while a better block is on its way")
            simulator.run(for: MinerController.maxPause + 500)
            #expect(simulator.nodes[1].template?.header.previous == tip.hash, "the pause is bounded")
        }

        /// A node's block is its template sealed: on the tip it had, with the puts it had taken.
        @Test func aMinedBlockIsTheTemplateSealed() throws {
            let simulator = try network()
            let put = try TestNetwork.put("sim/sealed", "v", by: try TestNetwork.identity(4))
            simulator.submit(put, at: 2)
            simulator.run(for: 150)
            let template = try #require(simulator.nodes[2].template)
            simulator.mine(at: 2)
            let tip = simulator.nodes[2].chain.tip
            #expect(tip.header.previous == template.header.previous)
            #expect(tip.header.merkleRoot == template.header.merkleRoot)
            #expect(simulator.nodes[2].template?.header.previous == tip.hash, "re-templated on its own block")
            simulator.run(for: 2_000)
            #expect(simulator.tips == [tip.hash])
        }
    }
}
