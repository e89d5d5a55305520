import Crypto

/// An Ed25519 signing key: a user's or a node wallet's identity. Whoever holds it owns the keys
/// it wrote first.
// Unchecked: the wrapped key is an immutable value that swift-crypto does not mark Sendable.
public struct Identity: @unchecked Sendable {
    private let key: Curve25519.Signing.PrivateKey

    /// A fresh random identity.
    public init() { key = Curve25519.Signing.PrivateKey() }

    /// An identity from its 32-byte seed.
    public init(seed: [UInt8]) throws(IdentityError) {
        guard seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw IdentityError.invalidSeed(length: seed.count)
        }
        self.key = key
    }

    /// The 32-byte seed, for storing the identity in a file of mode 0600.
    public var seed: [UInt8] { Array(key.rawRepresentation) }

    /// The public half: the author field of every transaction this identity signs.
    public var publicKey: PublicKey {
        // A Curve25519 public key is always 32 bytes.
        PublicKey(raw: Bytes32(key.publicKey.rawRepresentation) ?? .zero)
    }

    /// The Ed25519 signature of `message`.
    public func sign(_ message: [UInt8]) -> Signature {
        guard let data = try? key.signature(for: message), let signature = Signature(data) else {
            return .zero  // signing with a valid private key does not fail
        }
        return signature
    }
}

/// Why an identity could not be loaded.
public enum IdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An identity seed is exactly 32 bytes.
    case invalidSeed(length: Int)

    public var description: String {
        switch self {
        case let .invalidSeed(length): "an identity seed is 32 bytes, this one is \(length)"
        }
    }
}
