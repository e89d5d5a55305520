/// The 88 bytes that proof of work seals: they commit to the previous block and, through the
/// merkle root, to every txid in the block.
public struct BlockHeader: Hashable, Sendable {
    /// The encoded size.
    public static let size = 88
    /// The header format this code writes.
    public static let currentVersion: UInt32 = 1

    /// Header format version.
    public var version: UInt32
    /// Hash of the parent block's header (zero for genesis).
    public var previous: Hash256
    /// Merkle root of the block's txids.
    public var merkleRoot: Hash256
    /// Milliseconds since the Unix epoch.
    public var timestamp: UInt64
    /// The proof-of-work target, compact form.
    public var target: UInt32
    /// What miners vary.
    public var nonce: UInt64

    /// Builds a header from its fields.
    public init(
        version: UInt32 = BlockHeader.currentVersion, previous: Hash256, merkleRoot: Hash256,
        timestamp: UInt64, target: UInt32, nonce: UInt64 = 0
    ) {
        self.version = version
        self.previous = previous
        self.merkleRoot = merkleRoot
        self.timestamp = timestamp
        self.target = target
        self.nonce = nonce
    }

    /// SHA-256d of the encoded header: the block's id.
    public var hash: Hash256 { Hash256(sha256d: encoded) }
}
