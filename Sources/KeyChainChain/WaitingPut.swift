import KeyChainCore

/// A waiting put, held by reference in the mempool's persistent map. Each publication to
/// readers shares the map, so the next change copies the nodes on its path: a reference
/// copies with one retain, where a `Transaction` (about 180 bytes) takes several.
public final class WaitingPut: Sendable {
    /// The put.
    public let transaction: Transaction
    init(_ transaction: Transaction) { self.transaction = transaction }
}
