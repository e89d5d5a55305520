import KeyChainCore
import KeyChainTestSupport
import Testing

/// Every decoder rejects truncated, oversized, trailing-garbage and malformed input with a
/// typed error.
@Suite struct DecodingTests {
    func sampleBlock() throws -> Block {
        let identity = try TestNetwork.identity(2)
        let puts = try (0..<3).map { try TestNetwork.put("key\($0)", "value \($0)", by: identity, expectedVersion: $0 == 1 ? 0 : nil) }
        let header = BlockHeader(previous: .zero, merkleRoot: MerkleTree.root(puts.map(\.id)), timestamp: 5, target: 0x2000_FFFF, nonce: 9)
        return Block(header: header, transactions: puts)
    }

    @Test func everyTruncationOfATransactionIsRejected() throws {
        let bytes = try sampleBlock().transactions[1].encoded
        for length in 0..<bytes.count {
            #expect(throws: DecodingError.self) { try Transaction(decoding: Array(bytes.prefix(length))) }
        }
    }

    @Test func everyTruncationOfABlockIsRejected() throws {
        let bytes = try sampleBlock().encoded
        for length in 0..<bytes.count {
            #expect(throws: DecodingError.self) { try Block(decoding: Array(bytes.prefix(length))) }
        }
    }

    @Test func trailingBytesAreRejected() throws {
        let block = try sampleBlock()
        #expect(throws: DecodingError.trailingBytes(count: 1)) { try Block(decoding: block.encoded + [0]) }
        #expect(throws: DecodingError.trailingBytes(count: 2)) { try Transaction(decoding: block.transactions[0].encoded + [1, 2]) }
        #expect(throws: DecodingError.trailingBytes(count: 1)) { try BlockHeader(decoding: block.header.encoded + [7]) }
    }

    struct MalformedCase: Sendable, CustomTestStringConvertible {
        let name: String
        let hex: String
        let error: DecodingError
        var testDescription: String { name }
    }

    static let author = String(repeating: "11", count: 32)
    static let signature = String(repeating: "22", count: 64)
    static let malformed: [MalformedCase] = [
        .init(name: "unknown format", hex: "02", error: .invalidValue(field: "transaction format", reason: "version 2 is not known (expected 1)")),
        .init(name: "empty key", hex: "0100", error: .invalidValue(field: "key", reason: "a key is at least 1 byte")),
        .init(name: "key not UTF-8", hex: "0101ff", error: .invalidValue(field: "key", reason: "not valid UTF-8")),
        .init(name: "value over the cap", hex: "01016b" + "01001000", error: .oversized(field: "value", length: 0x0010_0001, maximum: 1 << 20)),
        .init(name: "expected-version flag 2", hex: "01016b00000000" + author + "0000000000000000" + "02",
              error: .invalidValue(field: "expected version flag", reason: "2 is neither 0 nor 1")),
        .init(name: "signature cut short", hex: "01016b00000000" + author + "0000000000000000" + "00" + "2222",
              error: .truncated(field: "signature", needed: 32, available: 2)),
    ]

    @Test(arguments: malformed) func malformedTransactions(_ test: MalformedCase) throws {
        let bytes = try #require(Hex.decode(test.hex))
        #expect(throws: test.error) { try Transaction(decoding: bytes) }
    }

    @Test func transactionCountBeyondTheBytesIsRejectedBeforeAllocating() throws {
        var bytes = try sampleBlock().header.encoded
        bytes += [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: DecodingError.invalidValue(field: "transaction count", reason: "4294967295 transactions cannot fit in 0 bytes")) {
            try Block(decoding: bytes)
        }
    }

    @Test func oversizedBlockIsRejected() throws {
        let bytes = try sampleBlock().encoded
        #expect(throws: DecodingError.oversized(field: "block", length: bytes.count, maximum: 100)) {
            try Block(decoding: bytes, maximumSize: 100)
        }
    }

    @Test func constructorsEnforceKeyLimits() throws {
        let author = try TestNetwork.identity(1).publicKey
        #expect(throws: DecodingError.self) { try Transaction(key: "", value: [], author: author, nonce: 0) }
        #expect(throws: DecodingError.oversized(field: "key", length: 256, maximum: 255)) {
            try Transaction(key: String(repeating: "a", count: 256), value: [], author: author, nonce: 0)
        }
        _ = try Transaction(key: String(repeating: "a", count: 255), value: [], author: author, nonce: 0)
    }

    @Test func networkParametersRejectGarbage() throws {
        let good = try TestNetwork.parameters().encoded
        #expect(throws: DecodingError.trailingBytes(count: 1)) { try NetworkParameters(decoding: good + [0]) }
        var zeroDifficulty = good
        zeroDifficulty[2 + 7] = 0  // the difficulty byte after "testnet"
        #expect(throws: DecodingError.self) { try NetworkParameters(decoding: zeroDifficulty) }
    }

    @Test func tamperedSignatureFailsVerification() throws {
        let put = try TestNetwork.put("a", "b", by: TestNetwork.identity(3))
        #expect(put.hasValidSignature)
        var sig = put.signature.bytes
        sig[5] ^= 1
        #expect(!put.withSignature(try #require(Signature(sig))).hasValidSignature)
        let other = try TestNetwork.identity(4)
        #expect(!put.withSignature(other.sign(put.id.bytes)).hasValidSignature)
    }
}
