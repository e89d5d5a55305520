import CKeyChainNative
import CSodium
@testable import KeyChainCore
import Testing

/// The precomputed-table verifier must accept exactly what libsodium's
/// crypto_sign_verify_detached accepts: it decides consensus for keys that sign often.
@Suite struct PrecomputedVerificationTests {
    init() { _ = sodium_init() }

    static func random(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        randombytes_buf(&bytes, count)
        return bytes
    }

    static func libsodium(_ signature: [UInt8], _ message: [UInt8], _ key: [UInt8]) -> Bool {
        crypto_sign_verify_detached(signature, message, UInt64(message.count), key) == 0
    }

    static func precomputed(_ signature: [UInt8], _ message: [UInt8], _ key: [UInt8]) -> Bool {
        guard let raw = Bytes32(key), let table = PrecomputedKeys.build(raw) else { return false }
        return key.withUnsafeBufferPointer { keyPointer in
            signature.withUnsafeBufferPointer { signaturePointer in
                message.withUnsafeBytes { messageBytes in
                    PrecomputedKeys.verify(table, key: keyPointer.baseAddress!, signature: signaturePointer.baseAddress!, message: messageBytes)
                }
            }
        }
    }

    static func sign(_ message: [UInt8], secret: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: 64)
        crypto_sign_detached(&signature, nil, message, UInt64(message.count), secret)
        return signature
    }

    static func keypair() -> (public: [UInt8], secret: [UInt8]) {
        var publicKey = [UInt8](repeating: 0, count: 32), secret = [UInt8](repeating: 0, count: 64)
        crypto_sign_keypair(&publicKey, &secret)
        return (publicKey, secret)
    }

    func expectAgreement(_ signature: [UInt8], _ message: [UInt8], _ key: [UInt8], _ what: String) {
        let expected = Self.libsodium(signature, message, key)
        #expect(Self.precomputed(signature, message, key) == expected, "\(what): libsodium says \(expected); sig \(Hex.encode(signature)) key \(Hex.encode(key)) msg \(Hex.encode(message))")
    }

    /// Random keys, valid signatures, and each with one bit flipped somewhere.
    @Test func agreesOnValidAndCorruptedSignatures() {
        for round in 0..<1_000 {
            let (key, secret) = Self.keypair()
            let message = Self.random(round % 3 == 0 ? 32 : round % 97)
            let signature = Self.sign(message, secret: secret)
            #expect(Self.precomputed(signature, message, key), "valid signature refused")
            var flipped = signature
            flipped[round % 64] ^= UInt8(1 << (round % 8))
            expectAgreement(flipped, message, key, "signature bit")
            var otherKey = key
            otherKey[round % 32] ^= UInt8(1 << (round % 8))
            expectAgreement(signature, message, otherKey, "key bit")
            if !message.isEmpty {
                var otherMessage = message
                otherMessage[round % message.count] ^= 1
                expectAgreement(signature, otherMessage, key, "message bit")
            }
        }
    }

    /// One key, many messages: the table is reused.
    @Test func oneKeyManyMessages() throws {
        let (key, secret) = Self.keypair()
        let raw = try #require(Bytes32(key))
        let table = try #require(PrecomputedKeys.build(raw))
        for _ in 0..<500 {
            let message = Self.random(32)
            let signature = Self.sign(message, secret: secret)
            let ok = key.withUnsafeBufferPointer { k in signature.withUnsafeBufferPointer { s in message.withUnsafeBytes {
                PrecomputedKeys.verify(table, key: k.baseAddress!, signature: s.baseAddress!, message: $0)
            } } }
            #expect(ok)
        }
    }

    static let smallOrder: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),
        [1] + [UInt8](repeating: 0, count: 31),
        Hex.decode("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")!,
        Hex.decode("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")!,
        Hex.decode("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")!,
        Hex.decode("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")!,
        Hex.decode("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")!,
    ]

    /// Rows: small-order R and A (either sign bit), a non-canonical S (S + L), non-canonical
    /// and off-curve keys.
    @Test func agreesOnEdgeCases() {
        let (key, secret) = Self.keypair()
        let message = Self.random(32)
        let signature = Self.sign(message, secret: secret)
        for encoding in Self.smallOrder {
            for sign in [UInt8(0), 0x80] {
                var point = encoding
                point[31] |= sign
                expectAgreement(point + Array(signature[32...]), message, key, "small-order R")
                expectAgreement(signature, message, point, "small-order key")
            }
        }
        // S + L (still below 2^256): the same point, refused as non-canonical.
        let order = Hex.decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")!
        var sum = [UInt8](repeating: 0, count: 32)
        var carry = 0
        for index in 0..<32 {
            let total = Int(signature[32 + index]) + Int(order[index]) + carry
            sum[index] = UInt8(total & 0xFF)
            carry = total >> 8
        }
        expectAgreement(Array(signature[..<32]) + sum, message, key, "S + L")
        // Keys with y >= p (non-canonical), and random 32-byte strings (mostly off the curve).
        for low in UInt8(0xEF)...UInt8(0xFF) {
            let nonCanonical = [low] + [UInt8](repeating: 0xFF, count: 30) + [0x7F]
            expectAgreement(signature, message, nonCanonical, "key y >= p")
        }
        for _ in 0..<200 { expectAgreement(signature, message, Self.random(32), "random key") }
    }

    /// A key with a torsion component (A = [a]B + T, T of order 8): libsodium's cofactorless
    /// check accepts a signature exactly when [h]T vanishes (h divisible by 8). Both must
    /// agree on every message, accepted or not.
    @Test(arguments: [2, 3, 0, 4]) func agreesOnKeysWithATorsionComponent(point: Int) throws {
        // Points of order 8, 8, 4 and 2.
        let torsion = Self.smallOrder[point]
        var secret = [UInt8](repeating: 0, count: 32)
        crypto_core_ed25519_scalar_random(&secret)
        var base = [UInt8](repeating: 0, count: 32)
        #expect(crypto_scalarmult_ed25519_base_noclamp(&base, secret) == 0)
        var key = [UInt8](repeating: 0, count: 32)
        #expect(crypto_core_ed25519_add(&key, base, torsion) == 0)
        var accepted = 0
        for _ in 0..<400 {
            let message = Self.random(16)
            var nonce = [UInt8](repeating: 0, count: 32), r = [UInt8](repeating: 0, count: 32)
            crypto_core_ed25519_scalar_random(&nonce)
            #expect(crypto_scalarmult_ed25519_base_noclamp(&r, nonce) == 0)
            var digest = [UInt8](repeating: 0, count: 64), h = [UInt8](repeating: 0, count: 32)
            crypto_hash_sha512(&digest, r + key + message, UInt64(64 + message.count))
            crypto_core_ed25519_scalar_reduce(&h, digest)
            var product = [UInt8](repeating: 0, count: 32), s = [UInt8](repeating: 0, count: 32)
            crypto_core_ed25519_scalar_mul(&product, h, secret)
            crypto_core_ed25519_scalar_add(&s, nonce, product)
            let signature = r + s
            if Self.libsodium(signature, message, key) { accepted += 1 }
            expectAgreement(signature, message, key, "torsion key")
        }
        #expect(accepted > 0 && accepted < 400, "the cases should split (h mod the order): \(accepted) accepted")
    }

    /// The cache: a key gets tables on its third use, and verification stays right throughout.
    @Test func theCacheBuildsTablesForBusyKeys() throws {
        let cache = PrecomputedKeys(capacity: 2, threshold: 3)
        let raw = try #require(Bytes32(Self.keypair().public))
        #expect(cache.table(for: raw) == nil)
        #expect(cache.table(for: raw) == nil)
        #expect(cache.table(for: raw) != nil)
        let identity = try fixedIdentity()
        for index in 0..<10 {
            let digest = Hash256(sha256d: [UInt8(index)])
            let signature = try identity.sign(digest.bytes)
            #expect(identity.publicKey.isValidSignature(signature, forDigest: digest))
            #expect(!identity.publicKey.isValidSignature(signature, forDigest: Hash256(sha256d: [UInt8(index), 1])))
        }
    }

    /// More busy keys than the cache holds, in rotation: builds are rationed (16, then one per
    /// 64 verifications), so rebuilding cannot cost more than a few percent.
    @Test func rotatingKeysCannotThrashTheCache() throws {
        let cache = PrecomputedKeys(capacity: 4, threshold: 1)
        let keys = try (0..<40).map { _ in try #require(Bytes32(Self.keypair().public)) }
        for _ in 0..<50 { for key in keys { _ = cache.table(for: key) } }
        #expect(cache.builds <= 16 + 2_000 / 64 + 1)
    }

    /// While the cache has room every busy key gets its tables at once: nothing is evicted,
    /// so nothing is wasted, and a sync of many authors runs at table speed from the start.
    @Test func buildsAreNotRationedWhileTheCacheHasRoom() throws {
        let cache = PrecomputedKeys(capacity: 100, threshold: 1)
        let keys = try (0..<100).map { _ in try #require(Bytes32(Self.keypair().public)) }
        for key in keys { _ = cache.table(for: key) }
        #expect(cache.builds == 100)
        #expect(keys.allSatisfy { cache.table(for: $0) != nil })
    }

    func fixedIdentity() throws -> Identity { try Identity(seed: [UInt8](repeating: 7, count: 32)) }
}
