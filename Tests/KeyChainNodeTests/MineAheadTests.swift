import Foundation
import KeyChainAPI
import KeyChainChain
import KeyChainCore
import KeyChainP2P
import KeyChainStore
import KeyChainTestSupport
import KeyChainWire
import Testing

@testable import KeyChainOwner

/// The miner moves to a peer's block once its body checks pass, before it is stored and
/// connected (mine-ahead). A block that passes them and then breaks a rule only connecting
/// checks (here, a put on a key someone else owns) never becomes the tip: the miner must go
/// back to the tip in the same turn, not go on mining children nobody will accept.
@Suite struct MineAheadTests {
    @Test func theMinerAbandonsABlockThatFailsToConnect() async throws {
        let directory = try TemporaryDirectory()
        let parameters = try TestNetwork.parameters(difficultyBits: 16)
        // Mining, but too slowly (50 hashes a second at 16 bits) to seal a block of its own
        // in the test's time, so the template is what the test looks at.
        var configuration = NodeConfiguration(dataDirectory: directory.path, mine: true, miningThreads: 1)
        configuration.hashRateLimit = 50
        let node = try Node(parameters: parameters, storage: MemoryBlockStore(), wallet: try TestNetwork.identity(9),
                            configuration: configuration)
        node.start()
        let peer = PeerID(1)
        node.receive([
            .connected(peer, outbound: false, address: PeerAddress(ipv4: 127, 0, 0, 1, port: 40_000)),
            .received(peer, .version(VersionMessage(genesis: parameters.genesisHash, bestHeight: 0, listenPort: 0,
                                                    nodeID: 77, timestamp: TestNetwork.createdAt))),
            .received(peer, .verack),
        ])
        let alice = try TestNetwork.identity(0xA1), bob = try TestNetwork.identity(0xB0)
        let first = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [try TestNetwork.put("owned", "alice's", by: alice)],
                                     parameters: parameters)
        node.receive(.received(peer, .block(BlockMessage(first))))
        // A put waiting, so that there is a template to mine ahead with.
        _ = await node.submit(try node.signPut(key: "waiting", value: Array("v".utf8), expectedVersion: nil).get())
        await node.settle()
        #expect(node.view.height == 1)
        #expect(node.onOwner { $0.miner?.template?.header.previous } == first.hash)

        // Valid proof of work, signatures and merkle root; but Bob writes Alice's key.
        let stolen = TestNetwork.mine(on: first.header, transactions: [try TestNetwork.put("owned", "bob's", by: bob)], parameters: parameters)
        node.receive(.received(peer, .block(BlockMessage(stolen))))
        await node.settle()
        let tip = node.view.tip.hash
        #expect(tip != stolen.hash)
        #expect(try node.view.get("owned").get().version.value == Array("alice's".utf8))
        #expect(node.onOwner { $0.mining.minedAheadOn } == nil)
        #expect(node.onOwner { $0.miner?.template?.header.previous } == tip, "the miner still mines on the block that failed")
        #expect(node.onOwner { $0.miner?.template?.transactions.map(\.key) } == ["waiting"])
        await node.shutdown()
    }
}
