import DequeModule
import Dispatch
import NIOConcurrencyHelpers

/// The work waiting for the chain's owner, in two lanes run one item at a time on its serial
/// queue: the network's (the miner's blocks and every peer event, in order) ahead of the
/// clients' (writes, waits and queries, in order). During an import the owner's queue holds
/// 100-500 ms of a client's puts to admit; a block this node's miner found waited behind them
/// (its miner idle, and other miners racing it on its parent: two blocks at one height were
/// seen 300 ms apart), and so did a peer's header or block. Peer events share one lane because
/// a peer's messages must be handled in the order sent (a `headers` before the `verack` it
/// followed is a protocol violation). After `maxUrgentRun` urgent items in a row one waiting
/// client item runs, so a busy network cannot stall clients.
final class OwnerMailbox: Sendable {
    typealias Work = @Sendable () -> Void

    private struct Lanes {
        var urgent = Deque<Work>()
        var normal = Deque<Work>()
        var urgentRun = 0
    }

    static let maxUrgentRun = 32
    private let queue: DispatchQueue
    private let lanes = NIOLockedValueBox(Lanes())

    /// A mailbox whose work runs on `queue`.
    init(queue: DispatchQueue) { self.queue = queue }

    /// Queues `work` in its lane. Each post schedules one turn on the queue and each turn runs
    /// one item, the next urgent one if any, so every item runs exactly once.
    func post(urgent: Bool = false, _ work: @escaping Work) {
        lanes.withLockedValue { lanes in
            if urgent { lanes.urgent.append(work) } else { lanes.normal.append(work) }
        }
        queue.async { [self] in next()?() }
    }

    private func next() -> Work? {
        lanes.withLockedValue { lanes in
            if !lanes.urgent.isEmpty && (lanes.urgentRun < Self.maxUrgentRun || lanes.normal.isEmpty) {
                lanes.urgentRun += 1
                return lanes.urgent.removeFirst()
            }
            lanes.urgentRun = 0
            return lanes.normal.popFirst() ?? lanes.urgent.popFirst()
        }
    }
}
