import KeyChainCore
import KeyChainTestSupport
import Testing

/// The encodings of docs/PROTOCOL.md, byte for byte. The expected values were computed by an
/// independent implementation (Python's hashlib and the `cryptography` package's Ed25519).
@Suite struct GoldenVectorTests {
    static let author = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"

    static let putUnsigned = [
        "01",                                   // format 1
        "09", "636f6e6669672f6462",             // key length 9, "config/db"
        "0e000000", "7b22686f7374223a22646231227d", // value length 14, {"host":"db1"}
        author,                                 // author public key
        "0807060504030201",                     // nonce 0x0102030405060708
        "01", "0300000000000000",               // expected version: present, 3
    ].joined()
    static let putTxid = "936518ea853fc6b09327ebddacf5cbcb29db4cec0b90952d816db52082064aa2"
    static let putSignature = "94f454cd194feda65d8b4f4378e4e1294d4f8133fab55427582f9f9730b4064c4c2f7a840c55c5327b8f12f611cafc830c81ff1e512694622b85af17f5fa3e02"

    static let smallUnsigned = [
        "01", "01", "6b",                       // format, key length 1, "k"
        "00000000",                             // empty value
        author, "0000000000000000",             // author, nonce 0
        "00",                                   // no expected version
    ].joined()
    static let smallTxid = "a1740ee6b6172b9f38d39e6b6c43d579e0429f42a8d6ad1cd30565826485de20"
    static let smallSignature = "cbf28a8d1f7221c59677b2c3eb81a46b6b6bc72e77bb6a700590b6bf53d800792ad61232ea7afe011ea2e81fe6ed2159eaa19c1fdfc0b6440494ed131343db0e"

    static let parameters = [
        "01",                                   // format 1
        "0f", "6b6579636861696e2d676f6c64656e", // name length 15, "keychain-golden"
        "14",                                   // difficulty 20 bits
        "e8030000",                             // block interval 1000 ms
        "c0c62d00",                             // max block size 3,000,000
        "00000100",                             // max value length 65,536
        "00a8da769b010000",                     // created 2026-01-01T00:00:00Z in ms
    ].joined()
    static let genesisHeader = [
        "01000000",                             // version 1
        String(repeating: "00", count: 32),     // previous: none
        "df1bd5e1f6f7cbd65acfdf92de88f3796e44b48f34f118cd618be86f64721312", // SHA-256d(parameters)
        "00a8da769b010000",                     // timestamp = created
        "0000101e",                             // target 0x1e100000 = 2^236
        "0000000000000000",                     // nonce 0
    ].joined()
    static let genesisHash = "3a11bceb10c3fa21711f9814a27f860558c459e4766b911fee22751afec1380e"

    static let block = [
        "01000000", genesisHash,                 // version, previous = genesis
        "8dd724d6fcd0bcd5d5b991b0b7f0146d300bc5dd91c0304cce0e9c491253a37e", // merkle(put, small)
        "e8abda769b010000", "0000101e",          // timestamp created+1s, target
        "8877665544332211",                      // nonce 0x1122334455667788
        "02000000",                              // two transactions
        putUnsigned, putSignature, smallUnsigned, smallSignature,
    ].joined()
    static let blockHash = "c6af994f2e1268d88e3cedf00158c1f0f1858349406969a0b38d36f4263e5004"

    func identity() throws -> Identity { try TestNetwork.identity(1) }

    @Test func putEncodesSignsAndHashes() throws {
        let put = try Transaction.signed(key: "config/db", value: Array(#"{"host":"db1"}"#.utf8), expectedVersion: 3,
                                         nonce: 0x0102_0304_0506_0708, by: identity())
        #expect(put.author.hex == Self.author)
        #expect(Hex.encode(put.unsignedEncoding) == Self.putUnsigned)
        #expect(put.id.hex == Self.putTxid)
        #expect(put.signature.hex == Self.putSignature)
        #expect(Hex.encode(put.encoded) == Self.putUnsigned + Self.putSignature)
        #expect(put.hasValidSignature)
        let decoded = try Transaction(decoding: try #require(Hex.decode(Self.putUnsigned + Self.putSignature)))
        #expect(decoded == put)
        #expect(decoded.expectedVersion == 3)
    }

    @Test func minimalPutEncodes() throws {
        let put = try Transaction.signed(key: "k", value: [], nonce: 0, by: identity())
        #expect(Hex.encode(put.unsignedEncoding) == Self.smallUnsigned)
        #expect(put.id.hex == Self.smallTxid)
        #expect(put.signature.hex == Self.smallSignature)
        #expect(put.encodedSize == put.encoded.count)
        // The smallest transaction there is (§4 bounds a block's count by it).
        #expect(put.encoded.count == 112)
    }

    @Test func parametersAndGenesis() throws {
        let parameters = try NetworkParameters(name: "keychain-golden", difficultyBits: 20, createdAt: TestNetwork.createdAt)
        #expect(Hex.encode(parameters.encoded) == Self.parameters)
        #expect(try NetworkParameters(decoding: parameters.encoded) == parameters)
        #expect(Hex.encode(parameters.genesisBlock.header.encoded) == Self.genesisHeader)
        #expect(parameters.genesisHash.hex == Self.genesisHash)
        #expect(parameters.target.compact == 0x1E10_0000)
    }

    /// A retargeting network is format 2: the same fields, then the half-life (PROTOCOL.md §5).
    @Test func retargetingParametersAndGenesis() throws {
        let parameters = try NetworkParameters(name: "keychain-golden", difficultyBits: 20, createdAt: TestNetwork.createdAt,
                                               retargeting: .asert(halfLifeIntervals: 30))
        #expect(Hex.encode(parameters.encoded)
            == "020f6b6579636861696e2d676f6c64656e14e8030000c0c62d000000010000a8da769b0100001e000000")
        #expect(try NetworkParameters(decoding: parameters.encoded) == parameters)
        #expect(parameters.genesisBlock.header.merkleRoot.hex == "0e846ca8d4748f193ac84e8cc62c257fd43c24c4b3c77c9e8fee7919e26dc6ed")
        #expect(parameters.genesisHash.hex == "5fca4073f33ad8a3385cd6ac2b732272e29239df16c1ccb3ba061d9b1fd6e0cb")
        #expect(parameters.genesisBlock.header.target == 0x1E10_0000)
    }

    @Test func blockEncodes() throws {
        let identity = try identity()
        let put = try Transaction.signed(key: "config/db", value: Array(#"{"host":"db1"}"#.utf8), expectedVersion: 3, nonce: 0x0102_0304_0506_0708, by: identity)
        let small = try Transaction.signed(key: "k", value: [], nonce: 0, by: identity)
        let header = BlockHeader(previous: try #require(Hash256(hex: Self.genesisHash)), merkleRoot: MerkleTree.root([put.id, small.id]),
                                 timestamp: TestNetwork.createdAt + 1_000, target: 0x1E10_0000, nonce: 0x1122_3344_5566_7788)
        let block = Block(header: header, transactions: [put, small])
        #expect(Hex.encode(block.encoded) == Self.block)
        #expect(block.hash.hex == Self.blockHash)
        #expect(block.encodedSize == block.encoded.count)
        #expect(try Block(decoding: try #require(Hex.decode(Self.block))) == block)
    }

    @Test func sha256dKnownAnswers() {
        #expect(Hash256(sha256d: Array("abc".utf8)).hex == "4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358")
        #expect(Hash256(sha256d: []).hex == "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456")
    }
}

import Foundation
import KeyChainAPI

/// The hand-written `get` and `history` replies are the JSON Foundation's encoder would write.
@Suite struct JSONTextTests {
    @Test(arguments: ["plain", "quote \" and \\ backslash", "line\nbreak\ttab\u{1}", "unicode é 🔑", ""])
    func getReplyRoundTrips(_ value: String) throws {
        let version = VersionResult(key: "k/\(value)", version: 3, value: value, encoding: .utf8, height: 7, block: String(repeating: "a", count: 64),
                                    txid: String(repeating: "b", count: 64), author: String(repeating: "c", count: 64), confirmations: 2)
        for id in [RPCID.number(42), .string("x\"y"), .null] {
            let text = JSONText.reply(id: id, version: version)
            let decoded = try JSONDecoder().decode(RPCResponse<VersionResult>.self, from: Data(text.utf8))
            #expect(decoded.result == version)
            #expect(decoded.id == id)
        }
    }

    @Test func historyReplyIsTheEncodersJSON() throws {
        let versions = ["first", "quote \" and \\", "line\nbreak", ""].enumerated().map { number, value in
            VersionResult(key: "k/é", version: number, value: value, encoding: .utf8, height: UInt32(number + 1), block: String(repeating: "a", count: 64),
                          txid: String(repeating: "b", count: 64), author: String(repeating: "c", count: 64), confirmations: UInt32(4 - number))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        for history in [HistoryResult(key: "k/é", versions: versions), HistoryResult(key: "none", versions: [])] {
            for id in [RPCID.number(42), .string("x\"y"), .null] {
                let text = JSONText.reply(id: id, history: history)
                let decoded = try JSONDecoder().decode(RPCResponse<HistoryResult>.self, from: Data(text.utf8))
                #expect(decoded.result?.versions == history.versions && decoded.result?.key == history.key)
                #expect(decoded.id == id)
            }
        }
        // The same JSON object the encoder writes (its order of fields is its own).
        let history = HistoryResult(key: "k", versions: versions)
        let written = try JSONSerialization.jsonObject(with: Data(JSONText.reply(id: .number(1), history: history).utf8)) as? NSDictionary
        let encoded = try JSONSerialization.jsonObject(with: try encoder.encode(RPCResponse(id: .number(1), result: history))) as? NSDictionary
        #expect(written != nil && written == encoded)
    }
}
