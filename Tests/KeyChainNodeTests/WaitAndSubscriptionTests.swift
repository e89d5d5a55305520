import Foundation
import KeyChainAPI
import KeyChainChain
import KeyChainCore
import KeyChainP2P
import KeyChainTestSupport
import KeyChainWire
import NIOConcurrencyHelpers
import Testing

@testable import KeyChainOwner

/// Waits and subscriptions on an in-process node fed blocks as a peer would: answered at the
/// depth asked and not a block before, across a reorganisation, notified up to the depth
/// horizon, and refused past their bounds (-32030) rather than grown without limit.
@Suite struct WaitAndSubscriptionTests {
    /// A wait for depth 3 is answered by the third block and not by the second; a wait_all with
    /// one put the chain never saw answers that one as unknown once the others are deep enough.
    @Test func aWaitIsAnsweredAtItsDepthAndNotBefore() async throws {
        let directory = try TemporaryDirectory()
        let (node, parameters) = try PeerBlockTests.node(directory)
        let author = try TestNetwork.identity(1)
        let put = try TestNetwork.put("depth/k", "v", by: author)
        _ = await node.submit(put)
        let answer = NIOLockedValueBox<Result<[TransactionStatus], NodeRequestError>?>(nil)
        let unknown = Hash256(sha256d: [42])
        node.wait(for: [put.id, unknown], depth: 3, timeout: .seconds(60), all: true) { result in answer.withLockedValue { $0 = result } }
        var header = parameters.genesisBlock.header
        for height in 1...3 {
            let block = TestNetwork.mine(on: header, transactions: height == 1 ? [put] : [], parameters: parameters)
            header = block.header
            node.receive(.received(PeerBlockTests.peer, .block(BlockMessage(block))))
            await node.settle()
            #expect((answer.withLockedValue { $0 } != nil) == (height == 3), "answered at height \(height)?")
        }
        let statuses = try #require(try answer.withLockedValue { $0 }?.get())
        #expect(statuses.map(\.state) == [.confirmed, .unknown])
        #expect(statuses.first?.depth == 3)
        await node.shutdown()
    }

    /// A subscriber hears its put confirmed, then each deeper block up to the horizon, and no
    /// more; tips go on.
    @Test func aSubscriptionFollowsDepthUpToTheHorizon() async throws {
        let directory = try TemporaryDirectory()
        let (node, parameters) = try PeerBlockTests.node(directory)
        let put = try TestNetwork.put("follow/k", "v", by: try TestNetwork.identity(1))
        let told = NIOLockedValueBox<[ChainNotification]>([])
        let refusal = await withCheckedContinuation { continuation in
            node.subscribe(connection: 5, txids: [put.id], tips: true, sink: { notification in told.withLockedValue { $0.append(notification) } }) {
                continuation.resume(returning: $0)
            }
        }
        #expect(refusal == nil)
        _ = await node.submit(put)
        var header = parameters.genesisBlock.header
        let blocks = Int(SubscriptionIndex.depthHorizon) + 3
        for height in 1...blocks {
            let block = TestNetwork.mine(on: header, transactions: height == 1 ? [put] : [], parameters: parameters)
            header = block.header
            node.receive(.received(PeerBlockTests.peer, .block(BlockMessage(block))))
        }
        await node.settle()
        let sent = told.withLockedValue { $0 }
        let tx = sent.compactMap { if case let .transaction(status) = $0 { status } else { nil } }
        #expect(tx.count == 1 + Int(SubscriptionIndex.depthHorizon), "\(tx)")
        #expect(tx.first?.state == .pending)
        #expect(tx.last?.depth == SubscriptionIndex.depthHorizon)
        #expect(sent.count { if case .tip = $0 { true } else { false } } == blocks)
        await node.shutdown()
    }

    /// Past a connection's bound a subscribe or a wait is refused with -32030 and a reason, and
    /// the node's state is as before; another connection is not affected.
    @Test func waitsAndSubscriptionsAreRefusedPastTheirBounds() async throws {
        let directory = try TemporaryDirectory()
        let (node, _) = try PeerBlockTests.node(directory)
        let put = try TestNetwork.put("bound/k", "v", by: try TestNetwork.identity(1))
        _ = await node.submit(put)
        func subscribe(_ connection: UInt64, _ txids: [Hash256]) async -> NodeRequestError? {
            await withCheckedContinuation { continuation in
                node.subscribe(connection: connection, txids: txids, tips: false, sink: { _ in }) { continuation.resume(returning: $0) }
            }
        }
        let many = (0..<SubscriptionIndex.maxTxidsPerConnection).map { Hash256(sha256d: withUnsafeBytes(of: UInt64($0)) { Array($0) }) }
        #expect(await subscribe(7, many) == nil)
        #expect(await subscribe(7, Array(many.prefix(10))) == nil, "txids already followed do not count twice")
        let refused = await subscribe(7, [put.id])
        #expect(refused?.code == .unavailable)
        #expect(refused?.description.contains("\(SubscriptionIndex.maxTxidsPerConnection)") == true)
        #expect(await subscribe(8, [put.id]) == nil)

        // Waits: the pending put keeps each wait_all open; 100,000 txids a wait.
        let wide = [put.id] + many.prefix(99_999)
        func wait(_ connection: UInt64) async -> NodeRequestError? {
            await withCheckedContinuation { continuation in
                // Refused: the answer comes first; registered: `registered` does (the answer
                // comes at shutdown). Either way the first of them resumes.
                let resumed = NIOLockedValueBox(false)
                let resume: @Sendable (NodeRequestError?) -> Void = { error in
                    if resumed.withLockedValue({ was in defer { was = true }; return !was }) { continuation.resume(returning: error) }
                }
                node.wait(for: wide, depth: 1, timeout: .seconds(60), all: true, connection: connection, registered: { resume(nil) }) { result in
                    if case let .failure(error) = result { resume(error) } else { resume(nil) }
                }
            }
        }
        #expect(await wait(7) == nil)
        #expect(await wait(7) == nil)
        let tooMany = await wait(7)
        #expect(tooMany?.code == .unavailable, "\(String(describing: tooMany))")
        #expect(await wait(8) == nil)
        #expect(node.onOwner { $0.tracker.waits.txidCount } == 300_000)
        // A closed connection's waits go with it.
        node.unsubscribe(connection: 7)
        await node.settle()
        #expect(node.onOwner { $0.tracker.waits.txidCount } == 100_000)
        await node.shutdown()
    }
}
