import Foundation
import KeyChainAPI
import KeyChainChain
import KeyChainCore
import KeyChainOwner
import KeyChainP2P
import KeyChainStore
import KeyChainTestSupport
import KeyChainWire
import Synchronization
import Testing

/// A node in-process, fed blocks through the peer protocol as a peer would send them: what a
/// peer's block does to the chain reaches waiting clients exactly as the node's own blocks do.
@Suite struct PeerBlockTests {
    static let peer = PeerID(1)

    /// A node that does not mine, with a ready peer.
    static func node(_ directory: TemporaryDirectory) throws -> (Node, NetworkParameters) {
        let parameters = try TestNetwork.parameters(difficultyBits: 4)
        let node = try Node(parameters: parameters, storage: MemoryBlockStore(), wallet: try TestNetwork.identity(9),
                            configuration: NodeConfiguration(dataDirectory: directory.path, mine: false))
        node.receive(.connected(peer, outbound: false, address: PeerAddress(ipv4: 127, 0, 0, 1, port: 40_000)))
        node.receive(.received(peer, .version(VersionMessage(genesis: parameters.genesisHash, bestHeight: 0, listenPort: 0,
                                                             nodeID: 77, timestamp: TestNetwork.createdAt))))
        node.receive(.received(peer, .verack))
        return (node, parameters)
    }

    /// A node is catching up, and verifies its peers' blocks as a sync's bulk, only while a
    /// peer's best chain is more than six blocks ahead of its own; a block or two behind, it is
    /// following the tip and verifies a block the moment it comes.
    @Test(arguments: [(UInt32(0), false), (6, false), (7, true), (1_000, true)])
    func catchingUpIsMoreThanSixBlocksBehindAPeer(peerHeight: UInt32, catchingUp: Bool) async throws {
        let directory = try TemporaryDirectory()
        let parameters = try TestNetwork.parameters(difficultyBits: 4)
        let node = try Node(parameters: parameters, storage: MemoryBlockStore(), wallet: try TestNetwork.identity(9),
                            configuration: NodeConfiguration(dataDirectory: directory.path, mine: false))
        node.receive(.connected(Self.peer, outbound: false, address: PeerAddress(ipv4: 127, 0, 0, 1, port: 40_000)))
        node.receive(.received(Self.peer, .version(VersionMessage(genesis: parameters.genesisHash, bestHeight: peerHeight, listenPort: 0,
                                                                  nodeID: 77, timestamp: TestNetwork.createdAt))))
        node.receive(.received(Self.peer, .verack))
        await node.settle()
        #expect(node.view.bestKnownHeight == peerHeight)
        #expect(node.view.catchingUp == catchingUp)
        await node.shutdown()
    }

    @Test func aPeersBlockSettlesAWaitingClient() async throws {
        let directory = try TemporaryDirectory()
        let (node, parameters) = try Self.node(directory)
        let put = try TestNetwork.put("config/db", "db1", by: TestNetwork.identity(1))
        guard case let .success(status) = await node.submit(put) else { Issue.record("put refused"); return }
        #expect(status.state == .pending)
        async let settled = node.wait(for: [put.id], depth: 1, timeout: .seconds(60))
        await node.settle()
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [put], parameters: parameters)
        node.receive(.received(Self.peer, .block(BlockMessage(block))))
        let result = try (await settled).get()
        #expect(result.map(\.state) == [.confirmed])
        #expect(result.first?.confirmation?.block == block.hash)
        #expect(node.view.height == 1)
        #expect(try node.view.get("config/db").get().version.value == Array("db1".utf8))
        await node.shutdown()
    }

    @Test func aReorganisationFromAPeerReportsTheEvictedPutToItsWaiter() async throws {
        let directory = try TemporaryDirectory()
        let (node, parameters) = try Self.node(directory)
        let author = try TestNetwork.identity(1)
        let mine = try TestNetwork.put("k", "ours", by: author, expectedVersion: 0)
        let theirs = try TestNetwork.put("k", "theirs", by: author, expectedVersion: 0)
        let genesis = parameters.genesisBlock.header
        let a1 = TestNetwork.mine(on: genesis, transactions: [mine], parameters: parameters)
        node.receive(.received(Self.peer, .block(BlockMessage(a1))))
        await node.settle()
        #expect(node.view.status(of: mine.id)?.state == .confirmed)
        // The client wants two confirmations; the peer's longer branch holds a rival version 0.
        async let settled = node.wait(for: [mine.id], depth: 2, timeout: .seconds(60))
        await node.settle()
        let b1 = TestNetwork.mine(on: genesis, transactions: [theirs], parameters: parameters, timestampOffset: 2_000)
        let b2 = TestNetwork.mine(on: b1.header, transactions: [], parameters: parameters)
        node.receive(.received(Self.peer, .block(BlockMessage(b1))))
        node.receive(.received(Self.peer, .block(BlockMessage(b2))))
        switch await settled {
        case .success(let statuses):
            Issue.record("the wait succeeded: \(statuses)")
        case .failure(let error):
            guard case let .failed(txid, outcome) = error else { Issue.record("wrong failure: \(error)"); return }
            #expect(txid == mine.id)
            #expect(outcome.state == .evicted)
            #expect(outcome.error == .conflict(key: "k", expected: 0, actual: 1))
        }
        #expect(node.view.tip.hash == b2.hash)
        #expect(try node.view.get("k").get().version.value == Array("theirs".utf8))
        #expect(node.view.status(of: mine.id)?.state == .evicted)
        await node.shutdown()
    }
}
