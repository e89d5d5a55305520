import KeyChainWire

extension Message {
    /// The most inventory entries (of `inv`, `getdata` and `notfound`) one owner turn handles
    /// for a peer. A read's worth of a peer's messages is one turn (batching keeps the import
    /// rate), but a read of one 50,000-entry `inv` would hold the owner for tens of
    /// milliseconds: every client and every other peer would wait that long behind one peer.
    /// Split at this size, a client's put waits behind a fraction of a millisecond of a
    /// flooder's work at most (docs/ARCHITECTURE.md §5).
    static let entriesPerTurn = 128

    /// The inventory entries this message names, short ids included (0 for any other message: a read of hundreds
    /// of relayed puts stays one turn, as the import rate needs).
    var turnEntries: Int {
        switch self {
        case let .inv(message): message.inventory.items.count
        case let .getData(message): message.inventory.items.count
        case let .notFound(message): message.inventory.items.count
        // Not split, but as heavy as the inventory they name: a turn of their own when large.
        case let .reconcile(message): message.shortIDs.count
        case let .reconcileDifference(message): message.wanted.count + message.offered.count
        default: 0
        }
    }

    /// This message as messages of at most `entries` inventory entries each, in order, with
    /// the meaning of the whole: each entry of an inventory list is handled on its own, so
    /// two `inv` of 100 say what one of 200 says. Other messages are not split.
    func split(every entries: Int) -> [Message] {
        func parts(_ items: [InventoryItem], _ make: ([InventoryItem]) -> Message) -> [Message] {
            guard items.count > entries else { return [self] }
            return stride(from: 0, to: items.count, by: entries).map { make(Array(items[$0 ..< min($0 + entries, items.count)])) }
        }
        switch self {
        case let .inv(message): return parts(message.inventory.items) { .inv(InvMessage($0)) }
        case let .getData(message): return parts(message.inventory.items) { .getData(GetDataMessage($0)) }
        case let .notFound(message): return parts(message.inventory.items) { .notFound(NotFoundMessage($0)) }
        default: return [self]
        }
    }
}

extension Array where Element == Message {
    /// These messages (one read's worth, in order) as the owner's turns: consecutive messages
    /// together while they name at most `entries` inventory entries between them, larger
    /// inventory lists split across turns of their own.
    func turns(of entries: Int = Message.entriesPerTurn) -> [[Message]] {
        // The common read (relayed puts, a block, a short inv) is one turn as it came: no
        // message is copied on the inbox's hot path.
        if reduce(0, { $0 + $1.turnEntries }) <= entries { return isEmpty ? [] : [self] }
        var turns: [[Message]] = []
        var turn: [Message] = []
        var used = 0
        for message in self {
            for part in message.split(every: entries) {
                let cost = part.turnEntries
                if !turn.isEmpty && cost > 0 && used + cost > entries {
                    turns.append(turn)
                    (turn, used) = ([], 0)
                }
                turn.append(part)
                used += cost
            }
        }
        if !turn.isEmpty { turns.append(turn) }
        return turns
    }
}
