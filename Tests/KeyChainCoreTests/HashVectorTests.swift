import CKeyChainNative
import CSodium
import KeyChainCore
import KeyChainTestSupport
import Testing

/// SHA-256 on both compression functions and SHA-512 against the examples of NIST FIPS 180-4
/// (the CSRC "Example Algorithms" messages: "abc", the empty string, the 448- and 896-bit
/// messages, and one million "a"s).
@Suite struct HashVectorTests {
    /// A FIPS 180-4 example: the message and its SHA-256 and SHA-512 digests.
    struct Example: Sendable, CustomTestStringConvertible {
        let name: String
        let message: [UInt8]
        let sha256: String
        let sha512: String
        var testDescription: String { name }
    }

    static let examples: [Example] = [
        Example(name: "abc", message: Array("abc".utf8),
                sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                sha512: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
        Example(name: "empty", message: [],
                sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                sha512: "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
        Example(name: "448 bits", message: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
                sha256: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                sha512: "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"),
        Example(name: "896 bits", message: Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8),
                sha256: "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
                sha512: "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"),
        Example(name: "one million a", message: [UInt8](repeating: 0x61, count: 1_000_000),
                sha256: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                sha512: "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"),
    ]

    static let cpuHasSHAExtensions = kc_cpu_has_sha_extensions() == 1

    static func sha256(_ implementation: kc_sha_impl, _ message: [UInt8]) -> (status: Int32, digest: String) {
        var out = [UInt8](repeating: 0, count: 32)
        let status = kc_sha256_with(implementation, message, message.count, &out)
        return (status, Hex.encode(out))
    }

    @Test(arguments: examples) func portableSHA256GivesTheFIPSDigests(_ example: Example) {
        let (status, digest) = Self.sha256(KC_SHA_PORTABLE, example.message)
        #expect(status == 0)
        #expect(digest == example.sha256)
    }

    @Test(.enabled(if: cpuHasSHAExtensions, "this CPU has no SHA extensions: the SHA-NI path is NOT tested here"), arguments: examples)
    func shaNIGivesTheFIPSDigests(_ example: Example) {
        let (status, digest) = Self.sha256(KC_SHA_HARDWARE, example.message)
        #expect(status == 0)
        #expect(digest == example.sha256)
    }

    /// Asking for SHA-NI on a CPU without it is refused, not quietly served by the portable
    /// code (which would let the test above pass without running SHA-NI).
    @Test func shaNIIsRefusedWhereTheCPULacksIt() {
        let (status, _) = Self.sha256(KC_SHA_HARDWARE, Array("abc".utf8))
        #expect(status == (Self.cpuHasSHAExtensions ? 0 : -1))
        var out = [UInt8](repeating: 0, count: 32)
        #expect(kc_sha256d_with(KC_SHA_HARDWARE, [1, 2, 3], 3, &out) == (Self.cpuHasSHAExtensions ? 0 : -1))
    }

    /// The hash the node uses (whichever compression the CPU allows) gives the same digests.
    @Test(arguments: examples) func theNodesSHA256dIsSHA256Twice(_ example: Example) throws {
        let once = try #require(Hex.decode(example.sha256))
        let (_, twice) = Self.sha256(KC_SHA_PORTABLE, once)
        #expect(Hash256(sha256d: example.message).bytes == Hex.decode(twice))
    }

    @Test(arguments: examples) func sha512GivesTheFIPSDigests(_ example: Example) {
        var out = [UInt8](repeating: 0, count: 64)
        kc_sha512(example.message, example.message.count, &out)
        #expect(Hex.encode(out) == example.sha512)
    }

    /// SHA-512 of every length across two blocks, fed whole, agrees with libsodium's: the
    /// padding's edge cases (111, 112 and 128 bytes) included.
    @Test func sha512AgreesWithLibsodiumAtEveryLength() {
        _ = Libsodium.version
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for length in 0...data.count {
            var ours = [UInt8](repeating: 0, count: 64), theirs = [UInt8](repeating: 0, count: 64)
            kc_sha512(data, length, &ours)
            crypto_hash_sha512(&theirs, data, UInt64(length))
            #expect(ours == theirs, "\(length) bytes")
        }
    }
}
