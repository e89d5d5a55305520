import Crypto

/// An Ed25519 public key: the author of a transaction and, after the first confirmed version,
/// the owner of a key.
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The 32 raw key bytes.
    public var raw: Bytes32

    /// Wraps 32 raw key bytes. Whether they are a valid curve point is checked on verify.
    public init(raw: Bytes32) { self.raw = raw }

    /// Parses 64 hex digits.
    public init?(hex: String) {
        guard let raw = Bytes32(hex: hex) else { return nil }
        self.raw = raw
    }

    /// Lower-case hex of the key bytes.
    public var hex: String { raw.hex }
    public var description: String { hex }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    public func isValidSignature(_ signature: Signature, for message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw.bytes) else { return false }
        return key.isValidSignature(signature.bytes, for: message)
    }
}
