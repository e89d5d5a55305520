import KeyChainChain

/// How a put that will never confirm ended: refused when submitted, or evicted after the best
/// chain changed under it.
public struct TransactionOutcome: Sendable, Hashable {
    /// `.rejected` or `.evicted`.
    public let state: TransactionStatus.State
    /// The rule it broke.
    public let error: TransactionError

    /// A person-readable account of what happened.
    public var reason: String {
        state == .evicted ? "evicted after the chain changed: \(error.description)" : error.description
    }
}
