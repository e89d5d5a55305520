import CKeyChainNative

/// A SHA-256d digest: a txid, a block hash, a merkle node or a network id.
/// Compared as a big-endian number, so a hash with more leading zero bits is smaller.
public struct Hash256: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The digest bytes.
    public var raw: Bytes32

    /// The all-zero hash: the previous hash of the genesis block, the merkle root of no transactions.
    public static let zero = Hash256(raw: .zero)

    /// Wraps 32 digest bytes.
    public init(raw: Bytes32) { self.raw = raw }

    /// Feeds the hasher one word: a digest's bits are already uniform, and finding two with
    /// the same first 8 bytes takes 2^64 work, so this loses nothing against a flood of
    /// chosen keys while halving the cost of every set and dictionary lookup by hash.
    public func hash(into hasher: inout Hasher) { hasher.combine(raw.w0) }

    /// Parses 64 hex digits.
    public init?(hex: String) {
        guard let raw = Bytes32(hex: hex) else { return nil }
        self.raw = raw
    }

    /// SHA-256(SHA-256(bytes)).
    public init(sha256d bytes: UnsafeRawBufferPointer) {
        var digest = Bytes32.zero
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { out in
            kc_sha256d(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, out.baseAddress!)
            digest = Bytes32(unsafe: UnsafeRawPointer(out.baseAddress!))
        }
        self.raw = digest
    }

    /// SHA-256(SHA-256(bytes)).
    public init(sha256d bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { Hash256(sha256d: $0) }
    }

    /// The digest bytes in order.
    public var bytes: [UInt8] { raw.bytes }
    /// Lower-case hex of the digest bytes in order.
    public var hex: String { raw.hex }
    /// The first 8 bytes of hex, for logs.
    public var short: String { String(hex.prefix(16)) }
    public var description: String { hex }

    public static func < (lhs: Hash256, rhs: Hash256) -> Bool { lhs.raw < rhs.raw }
}
