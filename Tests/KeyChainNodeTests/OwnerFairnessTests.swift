import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainP2P
import KeyChainStore
import KeyChainTestSupport
import KeyChainWire
import NIOConcurrencyHelpers
import Testing

@testable import KeyChainOwner

/// Fairness with the real owner, deterministically: a node on a manual clock with no wakeup
/// and no sockets, whose queue is held while four flooding peers' batches and then an honest
/// peer's block are posted, so the order they are handled in is the owner's alone.
@Suite struct OwnerFairnessTests {
    static let honest = PeerID(1)
    static let flooders = (10..<14).map { PeerID(UInt64($0)) }

    /// What a flooder sends in one read: legal, useless traffic (an `inv` of 500 puts nobody
    /// has, a `getdata` of unknown blocks, a `getheaders` from genesis).
    static func floodBatch(from peer: PeerID, round: Int, genesis: Hash256) -> [ProtocolEvent] {
        let puts = (0..<500).map { InventoryItem(.transaction, Hash256(sha256d: Array("\(peer) \(round) \($0)".utf8))) }
        let blocks = (0..<50).map { InventoryItem(.block, Hash256(sha256d: Array("block \(peer) \(round) \($0)".utf8))) }
        return [.received(peer, .inv(InvMessage(puts))), .received(peer, .getData(GetDataMessage(blocks))),
                .received(peer, .getHeaders(GetHeadersMessage(locator: [genesis])))]
    }

    @Test func anHonestPeersBlockIsHandledWithinOneRoundOfFourFlooders() async throws {
        let directory = try TemporaryDirectory()
        let parameters = try TestNetwork.parameters(difficultyBits: 4)
        let clock = ManualClock(start: TestNetwork.createdAt + 1_000_000)
        let node = try Node(parameters: parameters, storage: MemoryBlockStore(), wallet: try TestNetwork.identity(9),
                            configuration: NodeConfiguration(dataDirectory: directory.path, mine: false),
                            clock: clock.function, timerClock: clock.function)
        node.onOwner { $0.wakeup = nil }
        for (index, peer) in ([Self.honest] + Self.flooders).enumerated() {
            node.receive([
                .connected(peer, outbound: false, address: PeerAddress(ipv4: 127, 0, 0, UInt8(index + 1), port: 40_000)),
                .received(peer, .version(VersionMessage(genesis: parameters.genesisHash, bestHeight: 0, listenPort: 0,
                                                        nodeID: UInt64(100 + index), timestamp: TestNetwork.createdAt))),
                .received(peer, .verack),
            ])
        }
        await node.settle()
        #expect(node.view.peers == 5)

        let block = TestNetwork.mine(on: parameters.genesisBlock.header,
                                     transactions: [try TestNetwork.put("fair/k", "v", by: TestNetwork.identity(1))], parameters: parameters)
        let handled = NIOLockedValueBox<[String]>([])
        let rounds = 50
        node.owner.executor.queue.suspend()
        for round in 0..<rounds {
            for flooder in Self.flooders {
                node.receive(Self.floodBatch(from: flooder, round: round, genesis: parameters.genesisHash)) {
                    handled.withLockedValue { $0.append("flood") }
                }
            }
        }
        node.receive([.received(Self.honest, .block(BlockMessage(block)))]) { handled.withLockedValue { $0.append("honest") } }
        node.owner.executor.queue.resume()
        await node.settle()

        let order = handled.withLockedValue { $0 }
        #expect(order.count == rounds * Self.flooders.count + 1)
        // Owner turns spent on flooders between the block's arrival and its handling.
        let turnsBefore = order.firstIndex(of: "honest") ?? .max
        #expect(turnsBefore <= Self.flooders.count, "the honest block waited \(turnsBefore) turns")
        #expect(node.view.height == 1)
        #expect(try node.view.get("fair/k").get().version.value == Array("v".utf8))
        #expect(node.view.peers == 5, "a flooder sending legal traffic is not disconnected for it")
        await node.shutdown()
    }
}
