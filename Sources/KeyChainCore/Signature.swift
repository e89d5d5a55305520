/// A 64-byte Ed25519 signature.
public struct Signature: Hashable, Sendable {
    /// Bytes 0-31 (R) and 32-63 (S).
    public var r: Bytes32, s: Bytes32

    /// A signature of all zero bytes: the placeholder of an unsigned transaction.
    public static let zero = Signature(r: .zero, s: .zero)

    /// Builds a signature from its two halves.
    public init(r: Bytes32, s: Bytes32) { (self.r, self.s) = (r, s) }

    /// Reads 64 bytes; nil for any other length.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == 64, let r = Bytes32(bytes.prefix(32)), let s = Bytes32(bytes.dropFirst(32)) else {
            return nil
        }
        (self.r, self.s) = (r, s)
    }

    /// The 64 bytes in order.
    public var bytes: [UInt8] { r.bytes + s.bytes }
    /// Lower-case hex of the 64 bytes.
    public var hex: String { Hex.encode(bytes) }
}
