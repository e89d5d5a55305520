import CKeyChainNative

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

    /// Ed25519 verification by the one rule every node applies (docs/PROTOCOL.md §2), always
    /// by this project's own code (`kc_ed25519_verify`), never a system library's: a key that
    /// signs often is checked against its precomputed tables (`PrecomputedKeys`), any other key
    /// without; the two compute the same point and give the same answer.
    private func verify(_ signature: Signature, _ message: UnsafeRawBufferPointer) -> Bool {
        verify(signature, message, tables: PrecomputedKeys.shared.table(for: raw))
    }

    /// The check with the given tables of this key, or none (nil): tests name the path they take.
    func verify(_ signature: Signature, _ message: UnsafeRawBufferPointer, tables: PrecomputedKeys.Table?) -> Bool {
        var words = (raw.w0.bigEndian, raw.w1.bigEndian, raw.w2.bigEndian, raw.w3.bigEndian,
                     signature.r.w0.bigEndian, signature.r.w1.bigEndian, signature.r.w2.bigEndian, signature.r.w3.bigEndian,
                     signature.s.w0.bigEndian, signature.s.w1.bigEndian, signature.s.w2.bigEndian, signature.s.w3.bigEndian)
        return withUnsafeBytes(of: &words) { bytes in
            guard let key = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
            let messagePointer = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard let tables else { return kc_ed25519_verify(key + 32, messagePointer, message.count, key) == 1 }
            return PrecomputedKeys.verify(tables, key: key, signature: key + 32, message: message)
        }
    }

    /// The check of a signature of `digest` (a txid) with the given tables, or none.
    func isValidSignature(_ signature: Signature, forDigest digest: Hash256, tables: PrecomputedKeys.Table?) -> Bool {
        var words = (digest.raw.w0.bigEndian, digest.raw.w1.bigEndian, digest.raw.w2.bigEndian, digest.raw.w3.bigEndian)
        return withUnsafeBytes(of: &words) { verify(signature, $0, tables: tables) }
    }
}
