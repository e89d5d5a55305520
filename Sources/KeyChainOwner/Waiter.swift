import KeyChainCore

/// A client's `wait` or `wait_all`: the txids it waits on, the depth it wants, and how to
/// answer it. Lives in the `ChainOwner`'s tracker and is answered there, once.
struct Waiter: Sendable {
    let id: UInt64
    /// The client connection that waits (0: a caller in this process).
    let connection: UInt64
    let txids: [Hash256]
    let depth: UInt32
    /// `wait_all`: every txid answers with its status, an unknown or failed one included;
    /// `wait`: a failure (or an unknown txid) is the answer.
    let all: Bool
    /// Where its answer goes.
    let reply: OwnerReply<Result<[TransactionStatus], NodeRequestError>>

    /// The answer if every txid is deep enough or has failed; nil while any is short.
    func evaluate(in view: ChainView) -> Result<[TransactionStatus], NodeRequestError>? {
        var statuses: [TransactionStatus] = []
        statuses.reserveCapacity(txids.count)
        for txid in txids {
            guard let current = view.status(of: txid) else {
                guard all else { return .failure(.transactionNotFound(txid)) }
                statuses.append(TransactionStatus(txid, .unknown))
                continue
            }
            switch current.state {
            case .pending: return nil
            case .confirmed: if current.depth < depth { return nil }
            case .rejected, .evicted, .unknown:
                if !all, let outcome = current.outcome { return .failure(.failed(txid: txid, outcome: outcome)) }
            }
            statuses.append(current)
        }
        return .success(statuses)
    }
}
