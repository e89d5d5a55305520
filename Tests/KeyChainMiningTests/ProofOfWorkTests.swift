import CKeyChainNative
import Crypto
import KeyChainCore
import KeyChainMining
import KeyChainTestSupport
import Testing

@Suite struct ProofOfWorkTests {
    func header(_ seed: UInt8) -> BlockHeader {
        BlockHeader(previous: Hash256(sha256d: [seed]), merkleRoot: Hash256(sha256d: [seed, 1]),
                    timestamp: 1_767_225_600_000 + UInt64(seed), target: 0x2000_FFFF, nonce: 0)
    }

    /// Both compression functions agree with the header hash computed the plain way, for nonces
    /// that exercise both 32-bit halves.
    @Test(arguments: ProofOfWork.Implementation.allCases)
    func hashesMatchTheHeaderHash(_ implementation: ProofOfWork.Implementation) throws {
        let base = header(3)
        let search = ProofOfWork(header: base, target: try Target(difficultyBits: 8), implementation: implementation)
        for nonce: UInt64 in [0, 1, 2, 255, 65_537, 0xFFFF_FFFF, 0x1_0000_0000, 0xDEAD_BEEF_0BAD_F00D, .max] {
            var sealed = base
            sealed.nonce = nonce
            #expect(search.hash(nonce: nonce) == sealed.hash)
        }
    }

    /// The portable and SHA-NI searches find the same first winning nonce over the same range,
    /// for odd and even starting points (the SHA-NI path hashes two nonces at a time).
    @Test func implementationsFindTheSameNonce() throws {
        let target = try Target(difficultyBits: 12)
        for seed: UInt8 in 0..<6 {
            let portable = ProofOfWork(header: header(seed), target: target, implementation: .portable)
            let automatic = ProofOfWork(header: header(seed), target: target, implementation: .automatic)
            for start: UInt64 in [0, 1, 0xFFFF_FFFF] {
                let a = portable.search(from: start, count: 1 << 16)
                let b = automatic.search(from: start, count: 1 << 16)
                #expect(a.found?.nonce == b.found?.nonce)
                #expect(a.found?.hash == b.found?.hash)
                if a.found == nil { #expect(a.hashes == b.hashes) }
                if let found = a.found {
                    var sealed = header(seed)
                    sealed.nonce = found.nonce
                    #expect(sealed.hash == found.hash)
                    #expect(target.isMet(by: found.hash))
                }
            }
        }
    }

    @Test func exhaustedRangeReportsEveryHash() throws {
        let search = ProofOfWork(header: header(1), target: try Target(difficultyBits: 60))
        let outcome = search.search(from: 10, count: 1_001)
        #expect(outcome.found == nil)
        #expect(outcome.hashes == 1_001)
    }

    /// Where the CPU has SHA extensions, the hardware nonce loop (two nonces at a time) finds
    /// exactly the nonces the portable loop finds, with the same hash count.
    @Test(.enabled(if: ProofOfWork.hasHardwareSupport, "this CPU has no SHA extensions: the SHA-NI nonce loop is NOT tested here"))
    func hardwareSearchFindsWhatThePortableSearchFinds() throws {
        let target = try Target(difficultyBits: 10)
        for seed in 0..<8 {
            let portable = ProofOfWork(header: header(UInt8(seed)), target: target, implementation: .portable)
            let hardware = ProofOfWork(header: header(UInt8(seed)), target: target, implementation: .hardware)
            for start in [UInt64(0), 5, 1 << 40] {
                let a = portable.search(from: start, count: 1 << 14), b = hardware.search(from: start, count: 1 << 14)
                #expect(a.found?.nonce == b.found?.nonce, "seed \(seed) from \(start)")
                if a.found == nil { #expect(a.hashes == b.hashes) }
            }
        }
    }

    @Test func sha256dAgreesAcrossImplementationsForEveryLength() {
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        for length in 0...data.count {
            var portable = [UInt8](repeating: 0, count: 32), hardware = [UInt8](repeating: 0, count: 32)
            kc_sha256d_with(KC_SHA_PORTABLE, data, length, &portable)
            kc_sha256d_with(KC_SHA_AUTO, data, length, &hardware)
            #expect(portable == hardware)
        }
    }

    /// Each nonce loop against brute force at the target's exact boundary: over 4,096 nonces,
    /// hashed one by one with swift-crypto's SHA-256 (another implementation), the target is
    /// set to the smallest hash found. A hash equal to the target wins, so the loop must stop
    /// at that nonce; with the target one below it, no nonce in the range may win.
    @Test(arguments: [KC_SHA_PORTABLE, KC_SHA_HARDWARE].map(\.rawValue))
    func theSearchStopsExactlyWhereBruteForceDoes(_ implementation: UInt32) throws {
        let native = kc_sha_impl(rawValue: implementation)
        if native == KC_SHA_HARDWARE && !ProofOfWork.hasHardwareSupport {
            Issue.record("this CPU has no SHA extensions: the SHA-NI nonce loop cannot be tested here")
            return
        }
        for seed: UInt8 in [9, 10] {
            var template = header(seed)
            let count = 4_096
            var hashes: [[UInt8]] = []
            for nonce in 0..<count {
                template.nonce = UInt64(nonce)
                hashes.append(Array(SHA256.hash(data: Array(SHA256.hash(data: template.encoded)))))
            }
            let best = try #require(hashes.indices.min { hashes[$0].lexicographicallyPrecedes(hashes[$1]) })
            var below = hashes[best]
            var position = 31
            while below[position] == 0 { below[position] = 0xFF; position -= 1 }
            below[position] -= 1
            for (target, winner) in [(hashes[best], Optional(best)), (below, nil)] {
                var job = kc_pow_job()
                header(seed).encoded.withUnsafeBufferPointer { bytes in kc_pow_job_init(&job, bytes.baseAddress, target) }
                var nonce: UInt64 = 0, done: UInt64 = 0
                var hash = [UInt8](repeating: 0, count: 32)
                let found = kc_pow_search(native, &job, 0, UInt64(count), &nonce, &hash, &done)
                if let winner {
                    #expect(found == 1 && nonce == UInt64(winner) && done == UInt64(winner + 1), "seed \(seed): target at the best hash")
                    #expect(hash == hashes[winner])
                } else {
                    #expect(found == 0 && done == UInt64(count), "seed \(seed): target one below the best hash")
                }
            }
        }
    }
}
