import Dispatch
import KeyChainP2P
import NIOConcurrencyHelpers
import Testing

@testable import KeyChainOwner

/// The owner's lanes, driven in-process with the queue held while the work is posted, so the
/// order is the mailbox's alone: the first lane ahead of everything, each peer's and each
/// connection's lane in its own order, peers taking turns, connections taking turns, and
/// clients keeping a share under a flood.
@Suite struct OwnerMailboxTests {
    /// Messages that are the work itself, so that a test sees the order the owner would.
    typealias Work = @Sendable () -> Void
    typealias Mailbox = OwnerMailbox<Work>

    static func mailbox(on queue: DispatchQueue, clock: @escaping @Sendable () -> UInt64) -> Mailbox {
        let mailbox = Mailbox(queue: queue, clock: clock)
        mailbox.open { $0() }
        return mailbox
    }

    /// The order in which `posts` ran, posted while the queue was held; each item takes `cost`
    /// units of the mailbox's clock (1 unless given), a clock that moves only by those costs.
    static func order(of posts: [(name: String, lane: Mailbox.Lane)], costs: [String: UInt64] = [:]) -> [String] {
        let queue = DispatchQueue(label: "test.owner")
        let now = NIOLockedValueBox<UInt64>(0)
        let mailbox = Self.mailbox(on: queue) { now.withLockedValue { $0 } }
        let ran = NIOLockedValueBox<[String]>([])
        queue.suspend()
        for post in posts {
            let cost = costs[post.name] ?? 1
            mailbox.post(post.lane) {
                ran.withLockedValue { $0.append(post.name) }
                now.withLockedValue { $0 += cost }
            }
        }
        queue.resume()
        queue.sync {}  // every turn was queued before this
        return ran.withLockedValue { $0 }
    }

    static let (alice, bob) = (PeerID(1), PeerID(2))

    @Test(arguments: [
        // The first lane strictly first (the transport is wired before a peer's event is
        // handled); each lane in the order it was posted.
        ([("c1", .client(1)), ("f1", .first), ("p1", .peer(alice)), ("f2", .first), ("c2", .client(1))] as [(String, Mailbox.Lane)],
         ["f1", "f2", "p1", "c1", "c2"]),
        ([("f1", .first), ("f2", .first), ("f3", .first)], ["f1", "f2", "f3"]),
        ([("c1", .client(1)), ("c2", .client(1))], ["c1", "c2"]),
        // Two peers take turns, each in its own order; events of no peer have a lane too.
        ([("a1", .peer(alice)), ("a2", .peer(alice)), ("a3", .peer(alice)), ("b1", .peer(bob)), ("n1", .peer(nil)), ("b2", .peer(bob))],
         ["a1", "b1", "n1", "a2", "b2", "a3"]),
    ])
    func eachLaneKeepsItsOrderAndTheFirstGoesFirst(posts: [(String, Mailbox.Lane)], expected: [String]) {
        #expect(Self.order(of: posts.map { (name: $0.0, lane: $0.1) }) == expected)
    }

    /// Four peers flood (200 batches each, queued first); an honest peer's block, posted after
    /// all of them, runs within the first round: after at most one batch of each flooder.
    @Test func anHonestPeersBlockWaitsForOneBatchOfEachFlooderAtMost() {
        let flooders = (10..<14).map { PeerID(UInt64($0)) }
        var posts: [(name: String, lane: Mailbox.Lane)] = []
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

    /// Under the same flood a client's requests each wait for at most `networkShare` peer
    /// batches of the same cost, and a client import holds a peer's block for at most one
    /// client item.
    @Test func peersAndClientsShareTheOwner() {
        let share = Int(Mailbox.networkShare)
        let flood = (0..<100).map { (name: "flood \($0)", lane: Mailbox.Lane.peer(PeerID(UInt64(10 + $0 % 4)))) }
        let requests = (0..<5).map { (name: "client \($0)", lane: Mailbox.Lane.client(1)) }
        let order = Self.order(of: flood + requests)
        var previous = -1
        for index in 0..<5 {
            let position = order.firstIndex(of: "client \(index)") ?? .max
            #expect(position - previous - 1 <= share, "client \(index) waited for \(position - previous - 1) peer batches")
            previous = position
        }
        let importing = (0..<100).map { (name: "put \($0)", lane: Mailbox.Lane.client(1)) }
        let withBlock = Self.order(of: importing + [(name: "peer block", lane: .peer(Self.bob))])
        #expect((withBlock.firstIndex(of: "peer block") ?? .max) <= 1)
    }

    /// The share is of time, not of items: while a client's batch costs 20 peer items, the
    /// network runs about 40 items for each batch; while peer items cost 20 client puts, clients
    /// run about 10 puts for each (the network's two thirds either way).
    @Test func theShareIsOfTime() {
        /// Where each heavy item (costing 20) ran, and how many light ones ran between them.
        func heavyRuns(light: [(name: String, lane: Mailbox.Lane)], heavy: [(name: String, lane: Mailbox.Lane)]) -> (first: Int?, gaps: [Int]) {
            let order = Self.order(of: light + heavy, costs: Dictionary(uniqueKeysWithValues: heavy.map { ($0.name, UInt64(20)) }))
            let positions = heavy.compactMap { order.firstIndex(of: $0.name) }
            #expect(positions.count == heavy.count)
            return (positions.first, zip(positions, positions.dropFirst()).map { $1 - $0 - 1 })
        }
        let flood = (0..<400).map { (name: "flood \($0)", lane: Mailbox.Lane.peer(PeerID(UInt64(10 + $0 % 4)))) }
        let batches = (0..<5).map { (name: "batch \($0)", lane: Mailbox.Lane.client(1)) }
        for gap in heavyRuns(light: flood, heavy: batches).gaps { #expect((39...41).contains(gap), "\(gap) peer items between two batches") }
        let puts = (0..<400).map { (name: "put \($0)", lane: Mailbox.Lane.client(1)) }
        let blocks = (0..<5).map { (name: "block \($0)", lane: Mailbox.Lane.peer(Self.alice)) }
        let byBlocks = heavyRuns(light: puts, heavy: blocks)
        #expect(byBlocks.first == 0)
        for gap in byBlocks.gaps { #expect((9...11).contains(gap), "\(gap) puts between two blocks") }
    }

    /// With only one side busy, it has the owner to itself.
    @Test func oneSideAloneRunsWithoutWaiting() {
        let flood = (0..<50).map { (name: "p\($0)", lane: Mailbox.Lane.peer(Self.alice)) }
        #expect(Self.order(of: flood) == flood.map(\.name))
        let requests = (0..<50).map { (name: "c\($0)", lane: Mailbox.Lane.client(1)) }
        #expect(Self.order(of: requests) == requests.map(\.name))
    }

    /// A block the miner seals runs next, ahead of queued peer batches; but a miner sealing
    /// faster than the owner connects gets one turn a round, as each peer does, and cannot keep
    /// peers' blocks out.
    @Test func theMinersBlockGoesNextButABacklogTakesTurns() {
        let peerBatches = (0..<10).map { (name: "peer \($0)", lane: Mailbox.Lane.peer(Self.alice)) }
        #expect(Self.order(of: peerBatches + [(name: "mined", lane: .miner)]).first == "mined")
        let mined = (0..<50).map { (name: "mined \($0)", lane: Mailbox.Lane.miner) }
        let bob = (0..<10).map { (name: "bob \($0)", lane: Mailbox.Lane.peer(Self.bob)) }
        let order = Self.order(of: mined + peerBatches + bob)
        #expect(Array(order.prefix(30)) == (0..<10).flatMap { ["mined \($0)", "peer \($0)", "bob \($0)"] })
        #expect(order.filter { $0.hasPrefix("mined") } == mined.map(\.name))
    }

    /// A connection that pipelines an import (500 writes, queued first) delays another
    /// connection's request by one write at most, and each keeps its own order.
    @Test func connectionsTakeTurns() {
        let importing = (0..<500).map { (name: "import \($0)", lane: Mailbox.Lane.client(7)) }
        let other = (0..<3).map { (name: "other \($0)", lane: Mailbox.Lane.client(8)) }
        let order = Self.order(of: importing + other)
        #expect(Array(order.prefix(6)) == ["import 0", "other 0", "import 1", "other 1", "import 2", "other 2"])
        #expect(order.filter { $0.hasPrefix("import") } == importing.map(\.name))
    }

    /// A barrier runs once everything posted before it, in every lane, has run, whatever the
    /// lanes' turns; what is posted after it may run before it.
    @Test func aBarrierWaitsForEveryLane() {
        let queue = DispatchQueue(label: "test.owner")
        let mailbox = Self.mailbox(on: queue) { 0 }
        let ran = NIOLockedValueBox<[String]>([])
        func post(_ name: String, _ lane: Mailbox.Lane) { mailbox.post(lane) { ran.withLockedValue { $0.append(name) } } }
        queue.suspend()
        for index in 0..<20 { post("peer \(index)", .peer(Self.alice)) }
        for index in 0..<5 { post("miner \(index)", .miner) }
        for index in 0..<20 { post("client \(index)", .client(3)) }
        post("first", .first)
        mailbox.postBarrier { ran.withLockedValue { $0.append("barrier") } }
        post("later", .client(4))
        queue.resume()
        queue.sync {}
        let order = ran.withLockedValue { $0 }
        let barrier = order.firstIndex(of: "barrier") ?? -1
        #expect(order.count == 48)
        let before = Set(order[..<max(barrier, 0)])
        #expect(before.subtracting(["later"]).count == 46, "the barrier ran at \(barrier) of \(order)")
    }

    /// A block the miner seals runs before clients even when the time share is theirs (the
    /// network has just used its two thirds on a heavy peer batch, during which the block came).
    @Test func theMinersBlockGoesAheadOfClientsWhateverTheShare() {
        let queue = DispatchQueue(label: "test.owner")
        let now = NIOLockedValueBox<UInt64>(0)
        let mailbox = Self.mailbox(on: queue) { now.withLockedValue { $0 } }
        let ran = NIOLockedValueBox<[String]>([])
        queue.suspend()
        mailbox.post(.peer(Self.alice)) {
            ran.withLockedValue { $0.append("peer") }
            now.withLockedValue { $0 += 100 }
            mailbox.post(.miner) { ran.withLockedValue { $0.append("mined") } }
        }
        for index in 0..<5 { mailbox.post(.client(1)) { ran.withLockedValue { $0.append("put \(index)") } } }
        queue.resume()
        queue.sync {}
        queue.sync {}
        #expect(ran.withLockedValue { Array($0.prefix(2)) } == ["peer", "mined"], "\(ran.withLockedValue { $0 })")
    }
}
