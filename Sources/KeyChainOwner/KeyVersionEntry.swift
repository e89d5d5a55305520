import KeyChainCore
import KeyChainChain

/// One version of a key as a read returns it: which key, its number in the key's history
/// (0 = the first write) and how deep it lies under the tip of the view it was read from.
public struct KeyVersionEntry: Sendable, Hashable {
    /// The key.
    public let key: String
    /// Its place in the key's history, counting from 0.
    public let number: Int
    /// The value and where it was confirmed.
    public let version: KeyVersion
    /// Confirmations at the view's tip (1 = in the tip block).
    public let confirmations: UInt32
}
