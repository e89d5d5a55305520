import CSodium

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
        message.withUnsafeBytes { verify(signature, $0) }
    }

    /// Whether `signature` is this key's Ed25519 signature of the 32 bytes of `digest`
    /// (a txid). Works from stack copies: verification runs in parallel, and allocations
    /// would contend.
    public func isValidSignature(_ signature: Signature, forDigest digest: Hash256) -> Bool {
        var words = (digest.raw.w0.bigEndian, digest.raw.w1.bigEndian, digest.raw.w2.bigEndian, digest.raw.w3.bigEndian)
        return withUnsafeBytes(of: &words) { verify(signature, $0) }
    }

    /// Ed25519 verification by libsodium's `crypto_sign_verify_detached` (RFC 8032, cofactorless),
    /// which also refuses a non-canonical S or key and a key or R of small order. This is the
    /// consensus rule (docs/PROTOCOL.md §2); honest signers never produce what it refuses.
    /// A key that signs often is checked against its precomputed tables instead, by the same
    /// rules (`PrecomputedKeys`; tests compare the two).
    private func verify(_ signature: Signature, _ message: UnsafeRawBufferPointer) -> Bool {
        guard Self.sodiumReady else { return false }
        guard let table = PrecomputedKeys.shared.table(for: raw) else { return isValidSignatureBySodium(signature, message) }
        var keyWords = (raw.w0.bigEndian, raw.w1.bigEndian, raw.w2.bigEndian, raw.w3.bigEndian)
        var signatureWords = (signature.r.w0.bigEndian, signature.r.w1.bigEndian, signature.r.w2.bigEndian, signature.r.w3.bigEndian,
                              signature.s.w0.bigEndian, signature.s.w1.bigEndian, signature.s.w2.bigEndian, signature.s.w3.bigEndian)
        return withUnsafeBytes(of: &keyWords) { keyBytes in
            withUnsafeBytes(of: &signatureWords) { signatureBytes in
                guard let signaturePointer = signatureBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                      let keyPointer = keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
                return PrecomputedKeys.verify(table, key: keyPointer, signature: signaturePointer, message: message)
            }
        }
    }

    /// libsodium's verification of a signature of `digest`, without the tables: for a caller
    /// that asked for them already.
    func isValidSignatureBySodium(_ signature: Signature, forDigest digest: Hash256) -> Bool {
        var words = (digest.raw.w0.bigEndian, digest.raw.w1.bigEndian, digest.raw.w2.bigEndian, digest.raw.w3.bigEndian)
        return withUnsafeBytes(of: &words) { isValidSignatureBySodium(signature, $0) }
    }

    /// `crypto_sign_verify_detached` on stack copies of the key and signature.
    private func isValidSignatureBySodium(_ signature: Signature, _ message: UnsafeRawBufferPointer) -> Bool {
        guard Self.sodiumReady else { return false }
        var words = (raw.w0.bigEndian, raw.w1.bigEndian, raw.w2.bigEndian, raw.w3.bigEndian,
                     signature.r.w0.bigEndian, signature.r.w1.bigEndian, signature.r.w2.bigEndian, signature.r.w3.bigEndian,
                     signature.s.w0.bigEndian, signature.s.w1.bigEndian, signature.s.w2.bigEndian, signature.s.w3.bigEndian)
        return withUnsafeBytes(of: &words) { bytes in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
            return crypto_sign_verify_detached(base + 32, message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count), base) == 0
        }
    }

    /// libsodium must be initialised once before use; `sodium_init` is thread-safe.
    static let sodiumReady: Bool = sodium_init() >= 0
}
