/// A put: one new version of a key, signed by its author. The only kind of transaction.
///
/// The txid is SHA-256d of the unsigned encoding (everything but the signature), and the
/// signature is the author's Ed25519 signature of the 32 txid bytes.
public struct Transaction: Hashable, Sendable {
    /// The format byte that starts every encoded transaction.
    public static let formatVersion: UInt8 = 1
    /// The longest key, in UTF-8 bytes (the format's one-byte length prefix).
    public static let maxKeyLength = 255
    /// The largest value any network may allow; each network sets its own, smaller, limit.
    public static let maxValueLengthCap = 1 << 20

    /// The key, 1-255 bytes of UTF-8.
    public let key: String
    /// The value's bytes.
    public let value: [UInt8]
    /// Who signed it; the key's owner once the first version is confirmed.
    public let author: PublicKey
    /// Random, so that writing the same value twice makes two transactions.
    public let nonce: UInt64
    /// Compare-and-set: valid only if the key has exactly this many versions when applied.
    public let expectedVersion: UInt64?
    /// The author's signature of the txid.
    public private(set) var signature: Signature
    /// SHA-256d of the unsigned encoding.
    public let id: Hash256
    /// Length of the full encoding, signature included.
    public let encodedSize: Int

    /// Builds a transaction and computes its txid. Throws if a field breaks the format's limits.
    public init(
        key: String, value: [UInt8], author: PublicKey, nonce: UInt64,
        expectedVersion: UInt64? = nil, signature: Signature = .zero
    ) throws(DecodingError) {
        let keyLength = key.utf8.count
        guard (1...Self.maxKeyLength).contains(keyLength) else {
            throw keyLength == 0
                ? .invalidValue(field: "key", reason: "a key is at least 1 byte")
                : .oversized(field: "key", length: keyLength, maximum: Self.maxKeyLength)
        }
        guard value.count <= Self.maxValueLengthCap else {
            throw .oversized(field: "value", length: value.count, maximum: Self.maxValueLengthCap)
        }
        self.key = key
        self.value = value
        self.author = author
        self.nonce = nonce
        self.expectedVersion = expectedVersion
        self.signature = signature
        let unsigned = Self.unsignedBytes(key: key, value: value, author: author, nonce: nonce, expectedVersion: expectedVersion)
        self.id = Hash256(sha256d: unsigned)
        self.encodedSize = unsigned.count + 64
    }

    /// A transaction signed by `identity`, with a random nonce unless one is given.
    public static func signed(
        key: String, value: [UInt8], expectedVersion: UInt64? = nil,
        nonce: UInt64 = .random(in: .min ... .max), by identity: Identity
    ) throws(DecodingError) -> Transaction {
        let unsigned = try Transaction(key: key, value: value, author: identity.publicKey, nonce: nonce, expectedVersion: expectedVersion)
        return unsigned.withSignature(identity.sign(unsigned.id.bytes))
    }

    /// The same transaction with another signature (the txid does not change).
    public func withSignature(_ signature: Signature) -> Transaction {
        var copy = self
        copy.signature = signature
        return copy
    }

    /// Whether the signature is the author's signature of the txid. Costs one Ed25519 verify;
    /// the chain caches the answer by txid.
    public var hasValidSignature: Bool {
        author.isValidSignature(signature, forDigest: id)
    }

    public static func == (lhs: Transaction, rhs: Transaction) -> Bool {
        lhs.id == rhs.id && lhs.signature == rhs.signature
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
