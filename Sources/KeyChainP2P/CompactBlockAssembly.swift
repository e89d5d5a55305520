import KeyChainCore
import KeyChainWire

/// A block being rebuilt from a compact block (docs/PROTOCOL.md §9.2): each short id matched
/// against the puts the node holds, the prefilled puts put in place, and the positions left
/// over asked for with `getblocktxn`. A short id that two candidates share is left over too
/// (asked for, not guessed). Once whole, the block still has to meet its header's merkle
/// root: a collision with a put the node holds can fill a position wrongly, which is no fault
/// of the sender, and the block is then fetched whole.
public struct CompactBlockAssembly: Sendable {
    /// The block's header.
    public let header: BlockHeader
    /// The block's hash.
    public let hash: Hash256
    private var slots: [Transaction?]
    /// The positions still empty, increasing: what a `getblocktxn` asks for.
    public private(set) var missing: [Int]

    /// Matches `message` against `candidates` (the mempool, and puts seen lately).
    public init(_ message: CompactBlockMessage, candidates: some Sequence<Transaction>) throws(CompactBlockError) {
        header = message.header
        hash = message.header.hash
        // Which position each short id stands for; a repeated id cannot be told apart.
        var positions: [UInt64: Int] = [:]
        positions.reserveCapacity(message.shortIDs.count)
        var position = 0
        var prefilled = message.prefilled[...]
        var order: [Int] = []  // position of each short id, in message order
        order.reserveCapacity(message.shortIDs.count)
        for id in message.shortIDs {
            while prefilled.first?.index == position {
                prefilled.removeFirst()
                position += 1
            }
            guard positions.updateValue(position, forKey: id) == nil else { throw .repeatedShortID(id) }
            order.append(position)
            position += 1
        }
        var slots = [Transaction?](repeating: nil, count: message.transactionCount)
        for entry in message.prefilled { slots[entry.index] = entry.transaction }
        let hasher = message.shortIDHasher
        var ambiguous = Set<Int>()
        for candidate in candidates {
            guard let at = positions[CompactBlockMessage.shortID(of: candidate.id, hasher: hasher)] else { continue }
            if let held = slots[at], held.id != candidate.id { ambiguous.insert(at) } else { slots[at] = candidate }
        }
        for at in ambiguous { slots[at] = nil }
        self.slots = slots
        missing = order.filter { slots[$0] == nil }
    }

    /// Puts `answer`'s puts in the missing positions, in order.
    public mutating func fill(_ answer: BlockTransactionsMessage) throws(CompactBlockError) {
        guard answer.block == hash else { throw .otherBlock(answer.block) }
        guard answer.transactions.count == missing.count else {
            throw .wrongCount(asked: missing.count, sent: answer.transactions.count)
        }
        for (at, transaction) in zip(missing, answer.transactions) { slots[at] = transaction }
        missing = []
    }

    /// The block, once no position is missing.
    public var block: Block? {
        guard missing.isEmpty else { return nil }
        return Block(header: header, transactions: slots.compactMap { $0 })
    }
}

/// Why a compact block cannot be rebuilt, or an answer does not fit it.
public enum CompactBlockError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two puts of the block share a short id: the block is fetched whole.
    case repeatedShortID(UInt64)
    /// A `blocktxn` for another block than the one asked about.
    case otherBlock(Hash256)
    /// A `blocktxn` with another number of puts than were asked for.
    case wrongCount(asked: Int, sent: Int)

    public var description: String {
        switch self {
        case let .repeatedShortID(id): "two puts of the compact block share short id \(String(id, radix: 16))"
        case let .otherBlock(hash): "blocktxn for block \(hash.short), which was not asked about"
        case let .wrongCount(asked, sent): "blocktxn carries \(sent) puts where \(asked) were asked for"
        }
    }
}
