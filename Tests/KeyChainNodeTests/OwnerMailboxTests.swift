import Dispatch
import NIOConcurrencyHelpers
import Testing

@testable import KeyChainNode

/// The owner's two lanes: the network's ahead of the clients', each lane in order, every item
/// once, and a run of urgent work that cannot shut the other lane out.
@Suite struct OwnerMailboxTests {
    /// The order in which `posts` ran (true is urgent), posted while the queue was held.
    static func order(of posts: [(name: String, urgent: Bool)]) -> [String] {
        let queue = DispatchQueue(label: "test.owner")
        let mailbox = OwnerMailbox(queue: queue)
        let ran = NIOLockedValueBox<[String]>([])
        queue.suspend()
        for post in posts { mailbox.post(urgent: post.urgent) { ran.withLockedValue { $0.append(post.name) } } }
        queue.resume()
        queue.sync {}  // every turn was queued before this
        return ran.withLockedValue { $0 }
    }

    @Test(arguments: [
        // Urgent work first, each lane in the order it was posted.
        ([("n1", false), ("u1", true), ("n2", false), ("u2", true), ("n3", false)], ["u1", "u2", "n1", "n2", "n3"]),
        ([("n1", false), ("n2", false)], ["n1", "n2"]),
        ([("u1", true), ("u2", true)], ["u1", "u2"]),
    ])
    func urgentWorkGoesFirstAndEachLaneKeepsItsOrder(posts: [(String, Bool)], expected: [String]) {
        #expect(Self.order(of: posts.map { (name: $0.0, urgent: $0.1) }) == expected)
    }

    @Test func aLongRunOfUrgentWorkLetsWaitingWorkThrough() {
        let run = OwnerMailbox.maxUrgentRun
        let urgent = (1...(run + 8)).map { (name: "u\($0)", urgent: true) }
        let order = Self.order(of: [(name: "n1", urgent: false), (name: "n2", urgent: false)] + urgent)
        let expected = (1...run).map { "u\($0)" } + ["n1"] + ((run + 1)...(run + 8)).map { "u\($0)" } + ["n2"]
        #expect(order == expected)
    }
}
