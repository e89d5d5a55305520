import KeyChainCore

/// What the key index on disk reflects: the block it is at and its totals.
public struct KeyIndexState: Equatable, Sendable {
    /// The tip block the index reflects.
    public var tip: Hash256
    /// That block's height.
    public var height: UInt32
    /// The chain update the index was last written for: counts every update the chain made
    /// since it was created, so a reader can tell a snapshot newer than what it was asked about.
    public var sequence: UInt64
    /// Keys with at least one version.
    public var keys: Int
    /// Confirmed puts.
    public var puts: Int

    /// The state of an index at `tip` (`height`) after `sequence` updates.
    public init(tip: Hash256, height: UInt32, sequence: UInt64, keys: Int, puts: Int) {
        self.tip = tip
        self.height = height
        self.sequence = sequence
        self.keys = keys
        self.puts = puts
    }
}
