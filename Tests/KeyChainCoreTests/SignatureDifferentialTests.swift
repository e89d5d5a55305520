import CKeyChainNative
import CSodium
@testable import KeyChainCore
import KeyChainTestSupport
import Testing

/// Every verification path against libsodium 1.0.18 (the oracle for the rule of
/// docs/PROTOCOL.md §2) on made signatures: valid and corrupted ones, keys and R with torsion
/// components, non-canonical encodings of A and R, S = L and S + kL, chosen challenges and
/// scalars whose digits sit at the recodings' extremes, and batches of every shape.
@Suite struct SignatureDifferentialTests {
    static func random(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        _ = Libsodium.version
        randombytes_buf(&bytes, count)
        return bytes
    }

    /// The small-order y values (sign bit clear): 0, 1, the two of order 8, p - 1, p, p + 1.
    static let smallOrder: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),
        [1] + [UInt8](repeating: 0, count: 31),
        Hex.decode("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05") ?? [],
        Hex.decode("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a") ?? [],
        Hex.decode("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") ?? [],
        Hex.decode("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") ?? [],
        Hex.decode("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") ?? [],
    ]

    /// L, little-endian.
    static let order = Hex.decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010") ?? []

    /// a + b over 32 little-endian bytes; nil past 2^256.
    static func add(_ a: [UInt8], _ b: [UInt8]) -> [UInt8]? {
        var sum = [UInt8](repeating: 0, count: 32), carry = 0
        for index in 0..<32 {
            let total = Int(a[index]) + Int(b[index]) + carry
            sum[index] = UInt8(total & 0xFF)
            carry = total >> 8
        }
        return carry == 0 ? sum : nil
    }

    static func expectAgreement(_ path: VerifierPath, _ cases: [(key: [UInt8], signature: [UInt8], message: [UInt8])], _ what: String) {
        let answers = path.verify(cases)
        for (item, answer) in zip(cases, answers) {
            let expected = Libsodium.verify(signature: item.signature, message: item.message, key: item.key)
            if answer != expected {
                Issue.record("\(what), \(path.rawValue): libsodium says \(expected); sig \(Hex.encode(item.signature)) key \(Hex.encode(item.key)) msg \(Hex.encode(item.message))")
            }
        }
    }

    /// A key [a]B + T with T of small order, and signatures by it made by hand (no signer
    /// takes such a key); `rTorsion` adds a small-order point to R too.
    struct TorsionKey {
        let secret: [UInt8]
        let key: [UInt8]

        init(torsion: [UInt8]?) throws {
            var secret = [UInt8](repeating: 0, count: 32), base = [UInt8](repeating: 0, count: 32)
            crypto_core_ed25519_scalar_random(&secret)
            #expect(crypto_scalarmult_ed25519_base_noclamp(&base, secret) == 0)
            var key = base
            if let torsion { #expect(crypto_core_ed25519_add(&key, base, torsion) == 0) }
            self.secret = secret
            self.key = key
        }

        func sign(_ message: [UInt8], rTorsion: [UInt8]? = nil) -> [UInt8] {
            var nonce = [UInt8](repeating: 0, count: 32), r = [UInt8](repeating: 0, count: 32)
            crypto_core_ed25519_scalar_random(&nonce)
            _ = crypto_scalarmult_ed25519_base_noclamp(&r, nonce)
            if let rTorsion {
                let plain = r
                _ = crypto_core_ed25519_add(&r, plain, rTorsion)
            }
            var digest = [UInt8](repeating: 0, count: 64), h = [UInt8](repeating: 0, count: 32)
            crypto_hash_sha512(&digest, r + key + message, UInt64(64 + message.count))
            crypto_core_ed25519_scalar_reduce(&h, digest)
            var product = [UInt8](repeating: 0, count: 32), s = [UInt8](repeating: 0, count: 32)
            crypto_core_ed25519_scalar_mul(&product, h, secret)
            crypto_core_ed25519_scalar_add(&s, nonce, product)
            return r + s
        }
    }

    /// Random keys, valid signatures, and each with one bit flipped in the signature, the key
    /// or the message.
    @Test(arguments: VerifierPath.allCases) func agreesOnValidAndCorruptedSignatures(_ path: VerifierPath) {
        var cases: [(key: [UInt8], signature: [UInt8], message: [UInt8])] = []
        let rounds = path == .wideTables ? 100 : 600
        for round in 0..<rounds {
            let (key, secret) = Libsodium.keyPair()
            let message = Self.random(round % 3 == 0 ? 32 : round % 97)
            let signature = Libsodium.sign(message, secretKey: secret)
            #expect(path.verify(signature: signature, message: message, key: key), "valid signature refused")
            var flipped = signature
            flipped[round % 64] ^= UInt8(1 << (round % 8))
            var otherKey = key
            otherKey[round % 32] ^= UInt8(1 << (round % 8))
            cases += [(key, flipped, message), (otherKey, signature, message)]
            if !message.isEmpty {
                var otherMessage = message
                otherMessage[round % message.count] ^= 1
                cases.append((key, signature, otherMessage))
            }
        }
        Self.expectAgreement(path, cases, "corrupted")
    }

    /// R and A of small order with either sign bit; A and R that encode y + p (non-canonical,
    /// for every y below 19, either sign); S = L and S + kL for every k that fits; keys with
    /// y >= p and random 32-byte keys (mostly off the curve).
    @Test(arguments: VerifierPath.allCases) func agreesOnEncodingEdgeCases(_ path: VerifierPath) {
        let (key, secret) = Libsodium.keyPair()
        let message = Self.random(32)
        let signature = Libsodium.sign(message, secretKey: secret)
        var cases: [(key: [UInt8], signature: [UInt8], message: [UInt8])] = []
        var points = Self.smallOrder
        for y in 0..<19 { points.append([0xED + UInt8(y)] + [UInt8](repeating: 0xFF, count: 30) + [0x7F]) }
        for encoding in points {
            for sign in [UInt8(0), 0x80] {
                var point = encoding
                point[31] |= sign
                cases.append((key, point + Array(signature[32...]), message))
                cases.append((point, signature, message))
            }
        }
        let s = Array(signature[32...])
        cases.append((key, Array(signature[..<32]) + Self.order, message))  // S = L
        var multiple = s
        while let next = Self.add(multiple, Self.order) {  // S + kL below 2^256: k up to 15 or so
            cases.append((key, Array(signature[..<32]) + next, message))
            multiple = next
        }
        for _ in 0..<(path == .wideTables ? 20 : 200) { cases.append((Self.random(32), signature, message)) }
        Self.expectAgreement(path, cases, "edge case")
        #expect(!path.verify(signature: Array(signature[..<32]) + Self.order, message: message, key: key), "S = L")
    }

    /// Keys and R with torsion components (order 8, 4 and 2, and none), every pairing: the
    /// cofactorless check accepts exactly when the torsion of R equals -[h] that of A, and
    /// each path must give libsodium's answer either way.
    @Test(arguments: VerifierPath.allCases) func agreesOnMixedOrderKeysAndR(_ path: VerifierPath) throws {
        let torsions: [[UInt8]?] = [nil, Self.smallOrder[2], Self.smallOrder[3], Self.smallOrder[4], Self.smallOrder[0]]
        var cases: [(key: [UInt8], signature: [UInt8], message: [UInt8])] = []
        var accepted = 0
        for keyTorsion in torsions {
            let signer = try TorsionKey(torsion: keyTorsion)
            for rTorsion in torsions {
                for _ in 0..<(path == .wideTables ? 6 : 40) {
                    let message = Self.random(16)
                    let signature = signer.sign(message, rTorsion: rTorsion)
                    if Libsodium.verify(signature: signature, message: message, key: signer.key) { accepted += 1 }
                    cases.append((signer.key, signature, message))
                }
            }
        }
        #expect(accepted > 0 && accepted < cases.count, "the cases should split: \(accepted) of \(cases.count) accepted")
        Self.expectAgreement(path, cases, "mixed order")
    }

    /// Scalars at the recodings' extremes: every radix-16 digit 7, 8 or 15, every radix-256
    /// digit 0x7f or 0x80, and 0, 1, 2 and L - 1, as both h and S. With A = [a]B and
    /// R = [S - h a]B the signature must pass every path that takes h; with R changed, or h
    /// replaced by h + L (the same scalar, unreduced), it must not.
    @Test(arguments: VerifierPath.prehashed) func chosenScalarsGiveTheRightAnswer(_ path: VerifierPath) throws {
        func pattern(_ byte: UInt8, top: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 31) + [top] }
        var lMinusOne = Self.order
        lMinusOne[0] -= 1
        let scalars: [(String, [UInt8])] = [
            ("0", [UInt8](repeating: 0, count: 32)), ("1", [1] + [UInt8](repeating: 0, count: 31)),
            ("2", [2] + [UInt8](repeating: 0, count: 31)), ("L - 1", lMinusOne),
            ("radix-16 digits 7", pattern(0x77, top: 0x07)), ("radix-16 digits 8", pattern(0x88, top: 0x08)),
            ("radix-16 digits 15", pattern(0xFF, top: 0x0F)), ("radix-256 digits 0x7f", pattern(0x7F, top: 0x0F)),
            ("radix-256 digits 0x80", pattern(0x80, top: 0x00)),
        ]
        let signer = try TorsionKey(torsion: nil)
        var cases: [(key: [UInt8], signature: [UInt8], h: [UInt8])] = []
        var expected: [Bool] = [], names: [String] = []
        for (hName, h) in scalars {
            for (sName, s) in scalars {
                var product = [UInt8](repeating: 0, count: 32), r = [UInt8](repeating: 0, count: 32), point = [UInt8](repeating: 0, count: 32)
                crypto_core_ed25519_scalar_mul(&product, h, signer.secret)
                crypto_core_ed25519_scalar_sub(&r, s, product)
                if r.allSatisfy({ $0 == 0 }) {
                    point = [1] + [UInt8](repeating: 0, count: 31)  // the identity: of small order, refused as R
                } else {
                    #expect(crypto_scalarmult_ed25519_base_noclamp(&point, r) == 0)
                }
                let valid = !r.allSatisfy { $0 == 0 }
                cases.append((signer.key, point + s, h)); expected.append(valid); names.append("h \(hName), S \(sName)")
                var changed = point
                changed[0] ^= 1
                cases.append((signer.key, changed + s, h)); expected.append(false); names.append("h \(hName), S \(sName), R changed")
                if let unreduced = Self.add(h, Self.order) {
                    cases.append((signer.key, point + s, unreduced)); expected.append(false); names.append("h \(hName) + L, S \(sName)")
                }
            }
        }
        let answers = path.verify(prehashed: cases)
        for index in cases.indices where answers[index] != expected[index] {
            Issue.record("\(path.rawValue): \(names[index]) is \(answers[index] ? "accepted" : "refused")")
        }
        #expect(expected.filter { $0 }.count >= 70)
    }

    /// Batches of every length around the 32-signature chunk, with the invalid ones first,
    /// last, alternating, all or none: each signature gets the answer it gets alone.
    @Test(arguments: [VerifierPath.untabledBatch, .mixedBatch]) func batchesOfEveryShapeAnswerAsSingleChecks(_ path: VerifierPath) {
        let signers = (0..<4).map { _ in Libsodium.keyPair() }
        for length in [0, 1, 2, 31, 32, 33, 63, 64, 65, 100] {
            let shapes: [(String, (Int) -> Bool)] = [
                ("none invalid", { _ in false }), ("all invalid", { _ in true }), ("first invalid", { $0 == 0 }),
                ("last invalid", { $0 == length - 1 }), ("every other invalid", { $0 % 2 == 1 }), ("chunk edges invalid", { $0 % 32 == 31 || $0 % 32 == 0 }),
            ]
            for (shape, isInvalid) in shapes {
                let cases: [(key: [UInt8], signature: [UInt8], message: [UInt8])] = (0..<length).map { index in
                    let (key, secret) = signers[index % signers.count]
                    let message = Self.random(32)
                    var signature = Libsodium.sign(message, secretKey: secret)
                    if isInvalid(index) { signature[index % 64] ^= 0x10 }
                    return (key, signature, message)
                }
                let answers = path.verify(cases)
                let alone = VerifierPath.untabled.verify(cases)
                #expect(answers == alone, "\(length) signatures, \(shape)")
                #expect(answers == (0..<length).map { !isInvalid($0) }, "\(length) signatures, \(shape)")
            }
        }
    }

    /// The challenge h = SHA-512(R | A | M) mod L, and the reduction on its own, agree with
    /// libsodium's on random input and on the values next to multiples of L.
    @Test func theChallengeAndItsReductionAgreeWithLibsodium() {
        var inputs = (0..<2_000).map { _ in Self.random(64) }
        inputs.append([UInt8](repeating: 0xFF, count: 64))
        inputs.append([UInt8](repeating: 0, count: 64))
        inputs.append(Self.order + [UInt8](repeating: 0, count: 32))
        var lMinusOne = Self.order
        lMinusOne[0] -= 1
        inputs.append(lMinusOne + [UInt8](repeating: 0, count: 32))
        for index in 0..<32 {  // 2^(8 index) L, and one less, for the folds' carries
            let shifted = [UInt8](repeating: 0, count: index) + Self.order + [UInt8](repeating: 0, count: 32 - index)
            inputs.append(shifted)
            var below = shifted
            var position = 0
            while position < 64 {
                if below[position] > 0 { below[position] -= 1; break }
                below[position] = 0xFF
                position += 1
            }
            inputs.append(below)
        }
        for input in inputs {
            var ours = [UInt8](repeating: 0, count: 32), theirs = [UInt8](repeating: 0, count: 32)
            kc_ed25519_scalar_reduce(&ours, input)
            crypto_core_ed25519_scalar_reduce(&theirs, input)
            #expect(ours == theirs, "reducing \(Hex.encode(input))")
        }
        for length in [0, 1, 31, 32, 33, 100, 1_000] {
            let (r, key, message) = (Self.random(32), Self.random(32), Self.random(length))
            var ours = [UInt8](repeating: 0, count: 32), digest = [UInt8](repeating: 0, count: 64), theirs = [UInt8](repeating: 0, count: 32)
            kc_ed25519_challenge(&ours, r, key, message, message.count)
            crypto_hash_sha512(&digest, r + key + message, UInt64(64 + length))
            crypto_core_ed25519_scalar_reduce(&theirs, digest)
            #expect(ours == theirs, "challenge over a \(length)-byte message")
        }
    }
}
