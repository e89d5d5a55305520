import KeyChainCore
import KeyChainTestSupport
import KeyChainWire
import Testing

/// Reconciliation's messages byte for byte (docs/PROTOCOL.md §9.2); the short ids come from an
/// independent Python SipHash-2-4 (checked against the published vector: key 00..0f, message
/// 00..0e, 0xa129ca6149be45e5) keyed by SHA-256d of the salt, and every bad count is refused.
@Suite struct ReconciliationGoldenTests {
    static let ones = Hash256(raw: Bytes32(hex: String(repeating: "01", count: 32))!)
    static let twos = Hash256(raw: Bytes32(hex: String(repeating: "02", count: 32))!)
    static let counting = Hash256(raw: Bytes32(hex: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")!)

    @Test func shortIDsAreSipHashKeyedByTheSalt() {
        let hasher = ReconcileMessage.shortIDHasher(salt: 7)
        #expect(ReconcileMessage.shortID(of: Self.ones, hasher: hasher) == 0x96F5_2C2E_CF5D)
        #expect(ReconcileMessage.shortID(of: Self.twos, hasher: hasher) == 0xBCE8_EDCA_B911)
        #expect(ReconcileMessage.shortID(of: Self.counting, hasher: hasher) == 0x0EA8_F894_E4AD)
        #expect(ReconcileMessage.shortID(of: Self.ones, hasher: ReconcileMessage.shortIDHasher(salt: 8)) != 0x96F5_2C2E_CF5D)
    }

    @Test func reconcileCarriesTheSaltAndTheIDs() throws {
        let message = ReconcileMessage(salt: 7, shortIDs: [0x96F5_2C2E_CF5D, 0xBCE8_EDCA_B911])
        let expected = "0700000000000000" + "02000000" + "5dcf2e2cf596" + "11b9caede8bc"
        #expect(Hex.encode(message.payload) == expected)
        #expect(try Message.decode(command: "reconcile", payload: message.payload) == .reconcile(message))
    }

    @Test func recondiffCarriesWantedIDsAndOfferedTxids() throws {
        let message = ReconcileDifferenceMessage(salt: 7, wanted: [0x0EA8_F894_E4AD], offered: [Self.twos])
        let expected = "0700000000000000" + "01000000" + "ade494f8a80e" + "01000000" + String(repeating: "02", count: 32)
        #expect(Hex.encode(message.payload) == expected)
        #expect(try Message.decode(command: "recondiff", payload: message.payload) == .reconcileDifference(message))
        let empty = ReconcileDifferenceMessage(salt: 1, wanted: [], offered: [])
        #expect(Hex.encode(empty.payload) == "0100000000000000" + "00000000" + "00000000")
    }

    static let bad: [BadPayload] = [
        BadPayload(command: "reconcile", payload: "07000000", why: "a salt cut short"),
        BadPayload(command: "reconcile", payload: "0700000000000000" + "02000000" + "5dcf2e2cf596", why: "fewer ids than the count"),
        BadPayload(command: "reconcile", payload: "0700000000000000" + "51c30000", why: "more ids than a round holds (50,001)"),
        BadPayload(command: "reconcile", payload: "0700000000000000" + "00000000" + "00", why: "a byte past the ids"),
        BadPayload(command: "recondiff", payload: "0700000000000000" + "00000000", why: "no offered count"),
        BadPayload(command: "recondiff", payload: "0700000000000000" + "00000000" + "01000000" + "0202", why: "an offered txid cut short"),
        BadPayload(command: "recondiff", payload: "0700000000000000" + "00000000" + "51c30000", why: "more offered than a round holds"),
    ]

    @Test(arguments: bad) func badPayloadsAreRefused(_ bad: BadPayload) throws {
        let payload = try #require(Hex.decode(bad.payload))
        #expect(throws: WireError.self) { try Message.decode(command: bad.command, payload: payload) }
    }
}
