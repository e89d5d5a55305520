import HashTreeCollections
import KeyChainCore

/// Puts waiting for a block, in arrival order. Every put in it is valid on top of the best
/// chain plus the puts before it, so a block template is simply a prefix.
///
/// Conflict rules: a txid already waiting is a duplicate; a txid on the chain is a replay; a
/// key's owner is its first confirmed author or, for a new key, the author of its first
/// waiting put; compare-and-set counts confirmed and earlier waiting versions, so of two puts
/// expecting the same version the first wins and the second is a conflict.
public final class Mempool {
    /// How much the mempool holds before it refuses new puts.
    public struct Limits: Sendable {
        /// Most waiting puts.
        public var maxTransactions: Int
        /// Most waiting bytes (encoded).
        public var maxBytes: Int
        /// Defaults: 500,000 puts or 512 MiB.
        public init(maxTransactions: Int = 500_000, maxBytes: Int = 512 << 20) {
            self.maxTransactions = maxTransactions
            self.maxBytes = maxBytes
        }
    }

    private var order: [Hash256] = []
    private var orderStart = 0
    /// Every waiting put by txid: persistent, so the node can publish it to readers (`tx`
    /// answers "pending" from it) at the cost of a reference.
    public private(set) var live: TreeDictionary<Hash256, WaitingPut> = [:]
    private var pendingByKey: [KeyBytes: [Hash256]] = [:]
    /// Encoded bytes waiting.
    public private(set) var bytes = 0
    /// The limits in force.
    public let limits: Limits

    /// An empty mempool.
    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Puts waiting.
    public var count: Int { live.count }

    /// Whether `txid` is waiting.
    public func contains(_ txid: Hash256) -> Bool { live[txid] != nil }

    /// The waiting put with this txid.
    public func transaction(_ txid: Hash256) -> Transaction? { live[txid]?.transaction }

    /// All waiting puts in arrival order.
    public var transactions: [Transaction] { order[orderStart...].compactMap { live[$0]?.transaction } }

    /// The txids of the `count` oldest waiting puts, without a look at the rest.
    public func oldest(_ count: Int) -> [Hash256] {
        var ids: [Hash256] = []
        for id in order[orderStart...] where live[id] != nil {
            guard ids.count < count else { break }
            ids.append(id)
        }
        return ids
    }

    /// Admits a put if it passes every rule against `index` and the puts already waiting.
    public func add(_ transaction: Transaction, index: KeyIndex, parameters: NetworkParameters, signatures: SignatureCache) throws(TransactionError) {
        guard live[transaction.id] == nil else { throw .duplicate(transaction.id) }
        guard transaction.value.count <= parameters.maxValueLength else {
            throw .valueTooLarge(size: transaction.value.count, maximum: parameters.maxValueLength)
        }
        let key = KeyBytes(transaction.key)
        let waiting = pendingByKey[key] ?? []
        try index.check(transaction, pending: (waiting.count, waiting.first.flatMap { live[$0]?.transaction.author }))
        guard live.count < limits.maxTransactions, bytes + transaction.encodedSize <= limits.maxBytes else {
            throw .mempoolFull(limit: limits.maxTransactions)
        }
        guard signatures.isValid(transaction) else { throw .badSignature }
        live[transaction.id] = WaitingPut(transaction)
        order.append(transaction.id)
        pendingByKey[key, default: []].append(transaction.id)
        bytes += transaction.encodedSize
    }

    /// The longest run, in arrival order, of waiting puts whose encodings fit in `maxBytes`,
    /// passing over those with a txid in `skipping` or a key in `keys`. With neither, a prefix
    /// of the mempool; with a block's txids and written keys, what stays valid on top of that
    /// block whatever connecting it does (a put's rules depend only on its own key's versions
    /// and the puts before it on that key).
    func template(maxBytes: Int, skipping: Set<Hash256> = [], keys: Set<KeyBytes> = []) -> [Transaction] {
        var out: [Transaction] = []
        var used = 0
        for id in order[orderStart...] where skipping.isEmpty || !skipping.contains(id) {
            guard let transaction = live[id]?.transaction else { continue }
            if !keys.isEmpty && keys.contains(KeyBytes(transaction.key)) { continue }
            if used + transaction.encodedSize > maxBytes { break }
            used += transaction.encodedSize
            out.append(transaction)
        }
        return out
    }

    /// After blocks that confirmed `confirmed` and wrote `keys`: takes out the confirmed puts
    /// and checks the others waiting on those keys again, in arrival order, against `index`,
    /// dropping those the blocks made invalid (a compare-and-set they overtook, a key they gave
    /// an owner other than their author); returns the dropped. A put's rules depend only on its
    /// own key's versions and the puts before it on that key, so puts on other keys stay valid
    /// without a look, and all keep their places in the queue. One pass a written key.
    func confirm(_ confirmed: Set<Hash256>, keys: Set<KeyBytes>, index: KeyIndex) -> [EvictedTransaction] {
        var evicted: [EvictedTransaction] = []
        for key in keys {
            guard let waiting = pendingByKey[key] else { continue }
            var kept: [Hash256] = []
            var firstAuthor: PublicKey?
            for id in waiting {
                guard let transaction = live[id]?.transaction else { continue }
                if !confirmed.contains(id) {
                    do {
                        try index.check(transaction, pending: (kept.count, firstAuthor))
                        if kept.isEmpty { firstAuthor = transaction.author }
                        kept.append(id)
                        continue
                    } catch {
                        evicted.append(EvictedTransaction(transaction: transaction, reason: error))
                    }
                }
                live.removeValue(forKey: id)
                bytes -= transaction.encodedSize
            }
            pendingByKey[key] = kept.isEmpty ? nil : kept
        }
        // Confirmed puts are usually a prefix: advance past them, compact now and then.
        while orderStart < order.count && live[order[orderStart]] == nil { orderStart += 1 }
        if orderStart > 4096 && orderStart * 2 > order.count {
            order = order[orderStart...].filter { live[$0] != nil }
            orderStart = 0
        }
        return evicted
    }

    /// Empties the mempool, returning what it held in arrival order.
    func drain() -> [Transaction] {
        let all = transactions
        order = []
        orderStart = 0
        live = [:]
        pendingByKey = [:]
        bytes = 0
        return all
    }
}
