import CKeyChainNative
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
    @Test func hardwareSearchFindsWhatThePortableSearchFinds() throws {
        guard ProofOfWork.hasHardwareSupport else { return }  // portable only: nothing to compare
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
}
