/// One version of a key on the best chain.
public struct KeyVersion: Hashable, Sendable {
    /// The value written.
    public let value: [UInt8]
    /// Height of the block that holds it.
    public let height: UInt32
    /// Hash of the block that holds it.
    public let blockHash: Hash256
    /// The put's txid.
    public let txid: Hash256
    /// Who signed it.
    public let author: PublicKey

    /// A version of `value`, written by `author` in put `txid`, in block `blockHash` at `height`.
    public init(value: [UInt8], height: UInt32, blockHash: Hash256, txid: Hash256, author: PublicKey) {
        self.value = value
        self.height = height
        self.blockHash = blockHash
        self.txid = txid
        self.author = author
    }

    /// Confirmations when the best chain's tip is at `tipHeight` (1 = in the tip block).
    public func confirmations(tipHeight: UInt32) -> UInt32 {
        tipHeight >= height ? tipHeight - height + 1 : 0
    }
}
