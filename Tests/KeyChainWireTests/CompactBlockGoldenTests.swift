import KeyChainCore
import KeyChainTestSupport
import KeyChainWire
import Testing

/// Compact-block messages byte for byte (docs/PROTOCOL.md §9.2), on the block of §4's vector;
/// expected values from an independent Python encoder (its SipHash reproduces the published
/// vectors), and every bad count or position refused.
@Suite struct CompactBlockGoldenTests {
    static let header = "010000003a11bceb10c3fa21711f9814a27f860558c459e4766b911fee22751afec1380e"
        + "8dd724d6fcd0bcd5d5b991b0b7f0146d300bc5dd91c0304cce0e9c491253a37e" + "e8abda769b010000" + "0000101e" + "8877665544332211"
    static let vector2 = "01016b000000008a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c000000000000000000"
        + "cbf28a8d1f7221c59677b2c3eb81a46b6b6bc72e77bb6a700590b6bf53d800792ad61232ea7afe011ea2e81fe6ed2159eaa19c1fdfc0b6440494ed131343db0e"

    /// §4's vector block: vectors 1 and 2 of §2 on §5's genesis.
    static func block() throws -> Block {
        let identity = try TestNetwork.identity(1)
        let put = try Transaction.signed(key: "config/db", value: Array(#"{"host":"db1"}"#.utf8), expectedVersion: 3, nonce: 0x0102_0304_0506_0708, by: identity)
        let small = try Transaction.signed(key: "k", value: [], nonce: 0, by: identity)
        let header = try BlockHeader(decoding: try #require(Hex.decode(Self.header)))
        return Block(header: header, transactions: [put, small])
    }

    @Test func shortIDsAreSipHashKeyedByTheHeaderAndNonce() throws {
        let block = try Self.block()
        #expect(block.hash.hex == "c6af994f2e1268d88e3cedf00158c1f0f1858349406969a0b38d36f4263e5004")
        let hasher = CompactBlockMessage.shortIDHasher(header: block.header, nonce: 7)
        #expect(CompactBlockMessage.shortID(of: block.transactions[0].id, hasher: hasher) == 0x3313_94CA_712D)
        #expect(CompactBlockMessage.shortID(of: block.transactions[1].id, hasher: hasher) == 0x621B_8FB9_0AD3)
        // Another nonce, other ids.
        let other = CompactBlockMessage.shortIDHasher(header: block.header, nonce: 8)
        #expect(CompactBlockMessage.shortID(of: block.transactions[0].id, hasher: other) != 0x3313_94CA_712D)
    }

    @Test func aCompactBlockWithOnePutPrefilled() throws {
        let message = CompactBlockMessage(block: try Self.block(), nonce: 7, prefilling: [1])
        let expected = [
            Self.header,
            "0700000000000000",                  // nonce 7
            "01000000", "2d71ca941333",          // one short id: vector 1's, 6 bytes little-endian
            "01000000", "01000000",              // one prefilled, at position 1 (delta from 0)
            Self.vector2,                        // vector 2 whole
        ].joined()
        #expect(Hex.encode(message.payload) == expected)
        #expect(try CompactBlockMessage(payload: message.payload) == message)
        #expect(message.transactionCount == 2)
        #expect(try Message.decode(command: "cmpctblock", payload: message.payload) == .compactBlock(message))
    }

    @Test func aCompactBlockAllByShortID() throws {
        let message = CompactBlockMessage(block: try Self.block(), nonce: 7)
        #expect(Hex.encode(message.payload) == Self.header + "0700000000000000" + "02000000" + "2d71ca941333" + "d30ab98f1b62" + "00000000")
    }

    @Test func getBlockTransactionsSendsPositionsAsDeltas() throws {
        let message = GetBlockTransactionsMessage(block: try Self.block().hash, indexes: [0, 3])
        #expect(Hex.encode(message.payload) == "c6af994f2e1268d88e3cedf00158c1f0f1858349406969a0b38d36f4263e5004" + "02000000" + "00000000" + "02000000")
        #expect(try GetBlockTransactionsMessage(payload: message.payload) == message)
    }

    @Test func blockTransactionsAndSendCompactRoundTrip() throws {
        let block = try Self.block()
        let answer = BlockTransactionsMessage(block: block.hash, transactions: [block.transactions[1]])
        #expect(Hex.encode(answer.payload) == block.hash.hex + "01000000" + Self.vector2)
        #expect(try BlockTransactionsMessage(payload: answer.payload) == answer)
        #expect(Hex.encode(SendCompactMessage(highBandwidth: true).payload) == "01" + "0100000000000000")
        #expect(try SendCompactMessage(payload: [0, 1, 0, 0, 0, 0, 0, 0, 0]) == SendCompactMessage(highBandwidth: false))
    }

    static let bad: [BadPayload] = [
        BadPayload(command: "sendcmpct", payload: "02" + "0100000000000000", why: "sendcmpct mode 2"),
        BadPayload(command: "sendcmpct", payload: "01", why: "sendcmpct truncated"),
        BadPayload(command: "cmpctblock", payload: header + "0700000000000000" + "ffffffff", why: "short ids past the bytes left"),
        BadPayload(command: "cmpctblock", payload: header + "0700000000000000" + "00000000" + "01000000" + "05000000" + vector2,
            why: "a prefilled position past the block"),
        BadPayload(command: "cmpctblock", payload: header + "0700000000000000" + "00000000" + "ffff0000", why: "more prefilled than a block holds"),
        BadPayload(command: "getblocktxn", payload: String(repeating: "00", count: 32) + "02000000" + "00000000", why: "getblocktxn shorter than its count"),
        BadPayload(command: "getblocktxn", payload: String(repeating: "00", count: 32) + "01000000" + "ffffffff", why: "a position past any block"),
        BadPayload(command: "blocktxn", payload: String(repeating: "00", count: 32) + "ffffffff", why: "blocktxn count past the bytes left"),
    ]

    @Test(arguments: bad) func badPayloadsAreRefused(_ bad: BadPayload) throws {
        let payload = try #require(Hex.decode(bad.payload))
        #expect(throws: WireError.self) { try Message.decode(command: bad.command, payload: payload) }
    }
}
