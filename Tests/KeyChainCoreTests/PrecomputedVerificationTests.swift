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

    static func precomputed(_ signature: [UInt8], _ message: [UInt8], _ key: [UInt8], wide: Bool = false, table built: PrecomputedKeys.Table? = nil) -> Bool {
        guard let raw = Bytes32(key), let table = built ?? PrecomputedKeys.build(raw, wide: wide) else { return false }
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

    func expectAgreement(_ signature: [UInt8], _ message: [UInt8], _ key: [UInt8], _ what: String, wide: Bool = false, table: PrecomputedKeys.Table? = nil) {
        let expected = Self.libsodium(signature, message, key)
        #expect(Self.precomputed(signature, message, key, wide: wide, table: table) == expected, "\(what), wide \(wide): libsodium says \(expected); sig \(Hex.encode(signature)) key \(Hex.encode(key)) msg \(Hex.encode(message))")
    }

    /// Random keys, valid signatures, and each with one bit flipped somewhere; narrow tables
    /// and wide (a wide build costs about 1.7 ms, so fewer rounds).
    @Test(arguments: [false, true]) func agreesOnValidAndCorruptedSignatures(wide: Bool) {
        for round in 0..<(wide ? 150 : 1_000) {
            let (key, secret) = Self.keypair()
            let message = Self.random(round % 3 == 0 ? 32 : round % 97)
            let signature = Self.sign(message, secret: secret)
            #expect(Self.precomputed(signature, message, key, wide: wide), "valid signature refused")
            var flipped = signature
            flipped[round % 64] ^= UInt8(1 << (round % 8))
            expectAgreement(flipped, message, key, "signature bit", wide: wide)
            var otherKey = key
            otherKey[round % 32] ^= UInt8(1 << (round % 8))
            expectAgreement(signature, message, otherKey, "key bit", wide: wide)
            if !message.isEmpty {
                var otherMessage = message
                otherMessage[round % message.count] ^= 1
                expectAgreement(signature, otherMessage, key, "message bit", wide: wide)
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
    @Test(arguments: [false, true]) func agreesOnEdgeCases(wide: Bool) {
        let (key, secret) = Self.keypair()
        let message = Self.random(32)
        let signature = Self.sign(message, secret: secret)
        for encoding in Self.smallOrder {
            for sign in [UInt8(0), 0x80] {
                var point = encoding
                point[31] |= sign
                expectAgreement(point + Array(signature[32...]), message, key, "small-order R", wide: wide)
                expectAgreement(signature, message, point, "small-order key", wide: wide)
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
        expectAgreement(Array(signature[..<32]) + sum, message, key, "S + L", wide: wide)
        // Keys with y >= p (non-canonical), and random 32-byte strings (mostly off the curve).
        for low in UInt8(0xEF)...UInt8(0xFF) {
            let nonCanonical = [low] + [UInt8](repeating: 0xFF, count: 30) + [0x7F]
            expectAgreement(signature, message, nonCanonical, "key y >= p", wide: wide)
        }
        for _ in 0..<(wide ? 20 : 200) { expectAgreement(signature, message, Self.random(32), "random key", wide: wide) }
    }

    /// A key with a torsion component (A = [a]B + T, T of order 8): libsodium's cofactorless
    /// check accepts a signature exactly when [h]T vanishes (h divisible by 8). Both must
    /// agree on every message, accepted or not.
    @Test(arguments: [2, 3, 0, 4], [false, true]) func agreesOnKeysWithATorsionComponent(point: Int, wide: Bool) throws {
        // Points of order 8, 8, 4 and 2.
        let torsion = Self.smallOrder[point]
        var secret = [UInt8](repeating: 0, count: 32)
        crypto_core_ed25519_scalar_random(&secret)
        var base = [UInt8](repeating: 0, count: 32)
        #expect(crypto_scalarmult_ed25519_base_noclamp(&base, secret) == 0)
        var key = [UInt8](repeating: 0, count: 32)
        #expect(crypto_core_ed25519_add(&key, base, torsion) == 0)
        let raw = try #require(Bytes32(key))
        let table = try #require(PrecomputedKeys.build(raw, wide: wide))
        var accepted = 0
        for _ in 0..<400 {
            let message = Self.random(16)
            let signature = Self.signWithTorsion(message, key: key, secret: secret)
            if Self.libsodium(signature, message, key) { accepted += 1 }
            expectAgreement(signature, message, key, "torsion key", wide: wide, table: table)
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

    /// A key that signs most gets wide tables at its `wideThreshold`-th use, and past
    /// `wideCapacity` wide keys the least recently used one leaves the cache.
    @Test func theBusiestKeysGetWideTablesAndTheStalestMakesRoom() throws {
        let cache = PrecomputedKeys(capacity: 4, threshold: 1, wideCapacity: 1, wideThreshold: 3)
        let first = try #require(Bytes32(Self.keypair().public)), second = try #require(Bytes32(Self.keypair().public))
        #expect(cache.table(for: first)?.isWide == false)
        for _ in 0..<3 { #expect(cache.table(for: first)?.isWide == false) }
        #expect(cache.table(for: first)?.isWide == true)
        for _ in 0..<4 { _ = cache.table(for: second) }
        #expect(cache.table(for: second)?.isWide == true)
        #expect(cache.table(for: first)?.isWide == false, "the stalest wide key gave its place up")
        #expect(cache.builds == 5)
    }

    /// A batch gives every signature the answer libsodium gives it alone: valid and corrupted
    /// signatures by keys with narrow tables, wide tables and none, and a key with a torsion
    /// component whose signatures split, all mixed in one batch.
    @Test func aBatchGivesEachSignatureLibsodiumsAnswer() throws {
        let cache = PrecomputedKeys(capacity: 8, threshold: 2, wideCapacity: 4, wideThreshold: 40)
        let identities = try (0..<3).map { _ in try Identity(seed: Self.random(32)) }
        var secret = [UInt8](repeating: 0, count: 32), base = [UInt8](repeating: 0, count: 32)
        crypto_core_ed25519_scalar_random(&secret)
        #expect(crypto_scalarmult_ed25519_base_noclamp(&base, secret) == 0)
        var torsionKey = [UInt8](repeating: 0, count: 32)
        #expect(crypto_core_ed25519_add(&torsionKey, base, Self.smallOrder[2]) == 0)
        let torsionAuthor = PublicKey(raw: try #require(Bytes32(torsionKey)))
        var transactions: [Transaction] = []
        for index in 0..<240 {
            var transaction: Transaction
            if index % 4 == 3 {
                transaction = try Transaction(key: "t\(index)", value: [UInt8(index % 256)], author: torsionAuthor, nonce: UInt64(index))
                let signature = Self.signWithTorsion(transaction.id.bytes, key: torsionKey, secret: secret)
                transaction = transaction.withSignature(try #require(Signature(signature)))
            } else {
                transaction = try Transaction.signed(key: "k\(index)", value: [UInt8(index % 256)], by: identities[index % 3 == 0 ? 0 : index % 2 + 1])
            }
            if index % 7 == 0 {
                var bytes = transaction.signature.bytes
                bytes[index % 64] ^= UInt8(1 << (index % 8))
                transaction = transaction.withSignature(try #require(Signature(bytes)))
            }
            transactions.append(transaction)
        }
        let expected = transactions.map { $0.author.isValidSignatureBySodium($0.signature, forDigest: $0.id) }
        #expect(expected.contains(true) && expected.contains(false))
        #expect(transactions.indices.filter { $0 % 4 == 3 && $0 % 7 != 0 }.contains { !expected[$0] }, "some torsion-key signatures fail")
        // The first pass builds tables as keys come; the second finds the busiest key wide.
        for pass in 0..<2 {
            let answers = Transaction.validSignatures(transactions, tablesFrom: cache)
            for index in transactions.indices where answers[index] != expected[index] {
                Issue.record("pass \(pass), transaction \(index): batch says \(answers[index]), libsodium \(expected[index])")
            }
        }
        #expect(cache.table(for: identities[0].publicKey.raw)?.isWide == true)
    }

    /// A signature of `message` by `key` = [secret]B + T, made by hand (no signer takes such a key).
    static func signWithTorsion(_ message: [UInt8], key: [UInt8], secret: [UInt8]) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: 32), r = [UInt8](repeating: 0, count: 32)
        crypto_core_ed25519_scalar_random(&nonce)
        _ = crypto_scalarmult_ed25519_base_noclamp(&r, nonce)
        var digest = [UInt8](repeating: 0, count: 64), h = [UInt8](repeating: 0, count: 32)
        crypto_hash_sha512(&digest, r + key + message, UInt64(64 + message.count))
        crypto_core_ed25519_scalar_reduce(&h, digest)
        var product = [UInt8](repeating: 0, count: 32), s = [UInt8](repeating: 0, count: 32)
        crypto_core_ed25519_scalar_mul(&product, h, secret)
        crypto_core_ed25519_scalar_add(&s, nonce, product)
        return r + s
    }

    func fixedIdentity() throws -> Identity { try Identity(seed: [UInt8](repeating: 7, count: 32)) }
}
