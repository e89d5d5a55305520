import KeyChainCore

/// A block the chain knows of: at least its header, maybe its body.
public struct BlockNode: Hashable, Sendable {
    /// What is known about a block.
    public enum Status: UInt8, Sendable {
        /// Only the header; the body has not arrived.
        case headerOnly
        /// The body is stored and passed the context-free checks.
        case stored
        /// The block was connected to the best chain at least once.
        case valid
        /// The block, or an ancestor, broke a rule.
        case invalid
    }

    /// The header hash.
    public let hash: Hash256
    /// The header.
    public let header: BlockHeader
    /// Distance from genesis.
    public let height: UInt32
    /// Work from genesis through this block.
    public let cumulativeWork: Work
    /// What is known.
    public internal(set) var status: Status
    /// When the body arrived, as a running count: the earlier of two equal-work tips wins.
    public internal(set) var sequence: UInt64

    /// Whether the body is stored.
    public var hasData: Bool { status == .stored || status == .valid }
}
