import HashTreeCollections
import KeyChainAPI
import KeyChainChain
import KeyChainCore

/// What the node remembers about transactions beyond the chain and mempool: why recent ones
/// were refused or evicted (so `tx` can say), and who is waiting on which. Owned by the
/// `ChainOwner`; the outcomes are persistent so that each `ChainView` shares them.
struct TransactionTracker {
    /// How many refusals and evictions are remembered.
    static let outcomeCapacity = 200_000

    private(set) var outcomes: TreeDictionary<Hash256, TransactionOutcome> = [:]
    private var outcomeOrder: [Hash256] = []
    private var outcomeHead = 0
    private var waiters: [UInt64: Waiter] = [:]

    var hasWaiters: Bool { !waiters.isEmpty }

    mutating func record(_ txid: Hash256, _ outcome: TransactionOutcome) {
        if outcomes.updateValue(outcome, forKey: txid) != nil { return }
        if outcomeOrder.count < Self.outcomeCapacity {
            outcomeOrder.append(txid)
        } else {
            outcomes[outcomeOrder[outcomeHead]] = nil
            outcomeOrder[outcomeHead] = txid
            outcomeHead = (outcomeHead + 1) % Self.outcomeCapacity
        }
    }

    mutating func add(_ waiter: Waiter) { waiters[waiter.id] = waiter }

    mutating func remove(_ id: UInt64) -> Waiter? { waiters.removeValue(forKey: id) }

    mutating func removeAllWaiters() -> [Waiter] {
        defer { waiters = [:] }
        return Array(waiters.values)
    }

    /// The waiters whose answer `view` now decides, with it; they stay registered until
    /// `remove`d.
    func settled(in view: ChainView) -> [(Waiter, Result<[TxStatusResult], NodeRequestError>)] {
        waiters.values.compactMap { waiter in waiter.evaluate(in: view).map { (waiter, $0) } }
    }
}
