import Dispatch
import KeyChainP2P
import NIOConcurrencyHelpers
import Testing

@testable import KeyChainNode

/// The owner's lanes, driven in-process with the queue held while the work is posted, so the
/// order is the mailbox's alone: the first lane ahead of everything, each peer's lane and the
/// clients' in their own order, peers taking turns, and clients keeping a share under a flood.
@Suite struct OwnerMailboxTests {
    /// The order in which `posts` ran, posted while the queue was held.
    static func order(of posts: [(name: String, lane: OwnerMailbox.Lane)]) -> [String] {
        let queue = DispatchQueue(label: "test.owner")
        let mailbox = OwnerMailbox(queue: queue)
        let ran = NIOLockedValueBox<[String]>([])
        queue.suspend()
        for post in posts { mailbox.post(post.lane) { ran.withLockedValue { $0.append(post.name) } } }
        queue.resume()
        queue.sync {}  // every turn was queued before this
        return ran.withLockedValue { $0 }
    }

    static let (alice, bob) = (PeerID(1), PeerID(2))

    @Test(arguments: [
        // The first lane first, but not twice in a row while others wait; each lane in the
        // order it was posted.
        ([("c1", .clients), ("f1", .first), ("p1", .peer(alice)), ("f2", .first), ("c2", .clients)] as [(String, OwnerMailbox.Lane)],
         ["f1", "p1", "f2", "c1", "c2"]),
        ([("f1", .first), ("f2", .first), ("f3", .first)], ["f1", "f2", "f3"]),
        ([("c1", .clients), ("c2", .clients)], ["c1", "c2"]),
        // Two peers take turns, each in its own order; events of no peer have a lane too.
        ([("a1", .peer(alice)), ("a2", .peer(alice)), ("a3", .peer(alice)), ("b1", .peer(bob)), ("n1", .peer(nil)), ("b2", .peer(bob))],
         ["a1", "b1", "n1", "a2", "b2", "a3"]),
    ])
    func eachLaneKeepsItsOrderAndTheFirstGoesFirst(posts: [(String, OwnerMailbox.Lane)], expected: [String]) {
        #expect(Self.order(of: posts.map { (name: $0.0, lane: $0.1) }) == expected)
    }

    /// Four peers flood (200 batches each, queued first); an honest peer's block, posted after
    /// all of them, runs within the first round: after at most one batch of each flooder.
    @Test func anHonestPeersBlockWaitsForOneBatchOfEachFlooderAtMost() {
        let flooders = (10..<14).map { PeerID(UInt64($0)) }
        var posts: [(name: String, lane: OwnerMailbox.Lane)] = []
        for round in 0..<200 { for flooder in flooders { posts.append((name: "flood \(flooder) \(round)", lane: .peer(flooder))) } }
        posts.append((name: "honest block", lane: .peer(Self.alice)))
        let order = Self.order(of: posts)
        #expect(order.count == posts.count)
        let turn = order.firstIndex(of: "honest block")
        #expect(turn != nil && turn! <= flooders.count, "the honest block ran at turn \(turn ?? -1)")
        for flooder in flooders {  // and each flooder's batches stayed in order
            let own = order.filter { $0.hasPrefix("flood \(flooder) ") }
            #expect(own == (0..<200).map { "flood \(flooder) \($0)" })
        }
    }

    /// Under the same flood a client's requests each wait for at most `maxNetworkRun` peer
    /// batches, and a client import holds a peer's block for at most one client item.
    @Test func peersAndClientsShareTheOwner() {
        let run = OwnerMailbox.maxNetworkRun
        let flood = (0..<100).map { (name: "flood \($0)", lane: OwnerMailbox.Lane.peer(PeerID(UInt64(10 + $0 % 4)))) }
        let requests = (0..<5).map { (name: "client \($0)", lane: OwnerMailbox.Lane.clients) }
        let order = Self.order(of: flood + requests)
        var previous = -1
        for index in 0..<5 {
            let position = order.firstIndex(of: "client \(index)") ?? .max
            #expect(position - previous - 1 <= run, "client \(index) waited for \(position - previous - 1) peer batches")
            previous = position
        }
        let importing = (0..<100).map { (name: "put \($0)", lane: OwnerMailbox.Lane.clients) }
        let withBlock = Self.order(of: importing + [(name: "peer block", lane: .peer(Self.bob))])
        #expect((withBlock.firstIndex(of: "peer block") ?? .max) <= 1)
    }

    /// With only one side busy, it has the owner to itself.
    @Test func oneSideAloneRunsWithoutWaiting() {
        let flood = (0..<50).map { (name: "p\($0)", lane: OwnerMailbox.Lane.peer(Self.alice)) }
        #expect(Self.order(of: flood) == flood.map(\.name))
        let requests = (0..<50).map { (name: "c\($0)", lane: OwnerMailbox.Lane.clients) }
        #expect(Self.order(of: requests) == requests.map(\.name))
    }

    /// A block the miner seals runs next, ahead of queued peer batches; but a miner sealing
    /// faster than the owner connects gets one turn a round, as each peer does, and cannot keep
    /// peers' blocks out.
    @Test func theMinersBlockGoesNextButABacklogTakesTurns() {
        let peerBatches = (0..<10).map { (name: "peer \($0)", lane: OwnerMailbox.Lane.peer(Self.alice)) }
        #expect(Self.order(of: peerBatches + [(name: "mined", lane: .miner)]).first == "mined")
        let mined = (0..<50).map { (name: "mined \($0)", lane: OwnerMailbox.Lane.miner) }
        let bob = (0..<10).map { (name: "bob \($0)", lane: OwnerMailbox.Lane.peer(Self.bob)) }
        let order = Self.order(of: mined + peerBatches + bob)
        #expect(Array(order.prefix(30)) == (0..<10).flatMap { ["mined \($0)", "peer \($0)", "bob \($0)"] })
        #expect(order.filter { $0.hasPrefix("mined") } == mined.map(\.name))
    }
}
