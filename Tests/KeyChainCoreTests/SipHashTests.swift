import KeyChainCore
import Testing

/// SipHash-2-4 against the published vectors (key 00 01 … 0f, message 00 01 … of each length:
/// Aumasson and Bernstein's paper, appendix A, and the reference `vectors.h`) and, for lengths
/// the tests add, an independent Python implementation that reproduces those.
@Suite struct SipHashTests {
    static let key = (0..<16).map { UInt8($0) }

    @Test(arguments: [
        (0, 0x726F_DB47_DD0E_0E31 as UInt64),   // published
        (1, 0x74F8_39C5_93DC_67FD),             // published
        (15, 0xA129_CA61_49BE_45E5),            // published: the paper's worked example
        (8, 0x93F5_F579_9A93_2462),
        (32, 0x7127_512F_72F2_7CCE),
        (63, 0x958A_324C_EB06_4572),
    ])
    func knownAnswers(length: Int, expected: UInt64) throws {
        let hash = try #require(SipHash(key: Self.key))
        #expect(hash.hash((0..<length).map { UInt8($0) }) == expected)
    }

    /// The 32-byte path a txid takes agrees with the general one.
    @Test func thirtyTwoBytesAgreeWithTheGeneralPath() throws {
        let hash = try #require(SipHash(key: Self.key))
        let bytes = (0..<32).map { UInt8($0) }
        #expect(hash.hash(try #require(Bytes32(bytes))) == hash.hash(bytes))
        #expect(hash.hash(try #require(Bytes32(bytes))) == 0x7127_512F_72F2_7CCE)
    }

    @Test func aKeyMustBeSixteenBytes() {
        #expect(SipHash(key: Array(repeating: 0, count: 15)) == nil)
    }
}
