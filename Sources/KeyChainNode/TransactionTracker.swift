import KeyChainAPI
import KeyChainCore

/// What the node remembers about transactions beyond the chain and mempool: why recent ones
/// were refused or evicted (so `tx` can say), and who is waiting on which.
struct TransactionTracker {
    /// How many refusals and evictions are remembered.
    static let outcomeCapacity = 200_000

    private var outcomes: [Hash256: TxStatusResult] = [:]
    private var outcomeOrder: [Hash256] = []
    private var outcomeHead = 0
    private var waiters: [UInt64: Waiter] = [:]

    var hasWaiters: Bool { !waiters.isEmpty }

    mutating func record(_ txid: Hash256, state: TxState, error: RPCError) {
        let result = TxStatusResult(txid: txid.hex, status: state, reason: error.message, code: error.code)
        if outcomes.updateValue(result, forKey: txid) != nil { return }
        if outcomeOrder.count < Self.outcomeCapacity {
            outcomeOrder.append(txid)
        } else {
            outcomes[outcomeOrder[outcomeHead]] = nil
            outcomeOrder[outcomeHead] = txid
            outcomeHead = (outcomeHead + 1) % Self.outcomeCapacity
        }
    }

    func outcome(of txid: Hash256) -> TxStatusResult? { outcomes[txid] }

    mutating func add(_ waiter: Waiter) { waiters[waiter.id] = waiter }

    mutating func remove(_ id: UInt64) -> Waiter? { waiters.removeValue(forKey: id) }

    mutating func removeAllWaiters() -> [Waiter] {
        defer { waiters = [:] }
        return Array(waiters.values)
    }

    /// The waiters whose answer is now known, with it; they stay registered until `remove`d.
    /// Not `mutating`: `status` reads the node, tracker included, and a closure that reads the
    /// tracker while a mutating method holds it is an exclusivity violation (a crash).
    func settled(using status: (Hash256) -> TxStatusResult?) -> [(Waiter, Result<[TxStatusResult], RPCError>)] {
        waiters.values.compactMap { waiter in Self.evaluate(waiter, status: status).map { (waiter, $0) } }
    }

    /// A waiter's answer if every txid is deep enough or has failed; nil while any is short.
    /// A single txid that failed answers with its error; several answer with their statuses.
    static func evaluate(_ waiter: Waiter, status: (Hash256) -> TxStatusResult?) -> Result<[TxStatusResult], RPCError>? {
        var statuses: [TxStatusResult] = []
        for txid in waiter.txids {
            guard let current = status(txid) else { return nil }
            switch current.status {
            case .pending: return nil
            case .confirmed: if (current.depth ?? 0) < waiter.depth { return nil }
            case .rejected, .evicted: break
            }
            statuses.append(current)
        }
        if statuses.count == 1, let only = statuses.first, only.status == .rejected || only.status == .evicted {
            let code = only.code.flatMap(RPCErrorCode.init(rawValue:)) ?? .rejected
            return .failure(RPCError(code, only.reason ?? "transaction failed", data: ["txid": only.txid]))
        }
        return .success(statuses)
    }
}
