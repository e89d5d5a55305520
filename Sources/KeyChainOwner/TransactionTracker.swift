import HashTreeCollections
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
    /// The clients' waits.
    var waits = WaiterIndex()

    var hasWaiters: Bool { !waits.isEmpty }

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
}
