import DequeModule

/// Lanes of work, one per sender, served by turns: each sender with work waiting gets one item
/// per round, in the order it posted them. The owner's mailbox keeps peers (and the miner) in
/// one such round and client connections in another, so that one busy sender delays each other
/// by at most one item.
struct RoundRobinLanes<Sender: Hashable & Sendable, Item: Sendable>: Sendable {
    private var lanes: [Sender: Deque<Item>] = [:]
    /// The senders with work waiting, in the order of their next turn.
    private var turns = Deque<Sender>()
    /// Items waiting in every lane.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }
    /// Whose turn is next, if anyone's.
    var nextSender: Sender? { turns.first }
    /// The senders with items waiting.
    var senders: [Sender] { Array(turns) }

    /// Queues `item` in its sender's lane; a sender that had nothing waiting joins the round at
    /// its tail, or at its head with `first` (its item runs next).
    mutating func append(_ item: Item, from sender: Sender, first: Bool = false) {
        if lanes[sender, default: []].isEmpty { if first { turns.prepend(sender) } else { turns.append(sender) } }
        lanes[sender, default: []].append(item)
        count += 1
    }

    /// The next item of whoever's turn it is; they go to the back of the round if they have more.
    mutating func popNext() -> Item? {
        guard let sender = turns.popFirst(), var items = lanes.removeValue(forKey: sender), let item = items.popFirst() else { return nil }
        if !items.isEmpty {
            lanes[sender] = items
            turns.append(sender)
        }
        count -= 1
        return item
    }
}
