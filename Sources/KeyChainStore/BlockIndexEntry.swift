import KeyChainCore

/// One stored block as the index knows it: its header, where its record lies, its height and
/// cumulative work, and its status.
public struct BlockIndexEntry: Hashable, Sendable {
    /// The block's header (its hash is the entry's key).
    public var header: BlockHeader
    /// Where the record lies.
    public var location: BlockLocation
    /// Distance from genesis.
    public var height: UInt32
    /// Work of the chain from genesis to this block, inclusive.
    public var cumulativeWork: Work
    /// Validation status.
    public var status: BlockStatus
    /// The header's hash, computed once.
    public let hash: Hash256

    /// Builds an entry; the hash is computed from the header.
    public init(header: BlockHeader, location: BlockLocation, height: UInt32, cumulativeWork: Work, status: BlockStatus) {
        self.header = header
        self.location = location
        self.height = height
        self.cumulativeWork = cumulativeWork
        self.status = status
        self.hash = header.hash
    }
}
