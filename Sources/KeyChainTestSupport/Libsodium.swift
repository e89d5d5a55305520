import CSodium

/// libsodium 1.0.18, the oracle the project's own Ed25519 verifier is held to in tests, fuzz
/// targets and benchmarks: its `crypto_sign_verify_detached` applies the rule of
/// docs/PROTOCOL.md §2. No shipped binary links it.
public enum Libsodium {
    /// The version the rule was pinned against; another one may check differently.
    public static let pinnedVersion = "1.0.18"

    /// The version of the library loaded, after initialising it once.
    public static let version: String = {
        _ = sodium_init()
        return String(cString: sodium_version_string())
    }()

    /// Whether the loaded library is the pinned version, so its answers are the rule's.
    public static var isPinnedVersion: Bool { version == pinnedVersion }

    /// `crypto_sign_verify_detached`: whether `signature` (64 bytes) is `key`'s (32 bytes)
    /// signature of `message`. Other lengths are refused, as a transaction cannot carry them.
    public static func verify(signature: [UInt8], message: [UInt8], key: [UInt8]) -> Bool {
        _ = version
        guard signature.count == 64, key.count == 32 else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), key) == 0
    }

    /// A fresh key pair: the 32-byte public key and the 64-byte secret key.
    public static func keyPair() -> (publicKey: [UInt8], secretKey: [UInt8]) {
        _ = version
        var publicKey = [UInt8](repeating: 0, count: 32), secretKey = [UInt8](repeating: 0, count: 64)
        crypto_sign_keypair(&publicKey, &secretKey)
        return (publicKey, secretKey)
    }

    /// The signature of `message` by `secretKey` (64 bytes, from `keyPair`).
    public static func sign(_ message: [UInt8], secretKey: [UInt8]) -> [UInt8] {
        _ = version
        var signature = [UInt8](repeating: 0, count: 64)
        crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey)
        return signature
    }
}

extension Libsodium {
    /// P + Q for two encoded points on the curve (`crypto_core_ed25519_add`), small-order ones
    /// included; nil when either is not a point.
    public static func add(_ p: [UInt8], _ q: [UInt8]) -> [UInt8]? {
        _ = version
        guard p.count == 32, q.count == 32 else { return nil }
        var sum = [UInt8](repeating: 0, count: 32)
        return crypto_core_ed25519_add(&sum, p, q) == 0 ? sum : nil
    }
}
