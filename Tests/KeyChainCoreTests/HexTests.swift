import KeyChainCore
import Testing

@Suite struct HexTests {
    @Test func encodesLowerCaseTwoDigitsAByte() {
        #expect(Hex.encode([0x00, 0x0F, 0xA5, 0xFF, 0x10]) == "000fa5ff10")
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode((0...255).map(UInt8.init)).count == 512)
        #expect(Hex.encode(AnySequence([0xAB, 0xCD] as [UInt8])) == "abcd", "a sequence without contiguous storage")
    }

    @Test(arguments: [("", [UInt8]()), ("00ff", [0x00, 0xFF]), ("A5b6", [0xA5, 0xB6]), ("0123456789abcdef", [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF])])
    func decodesEitherCase(text: String, bytes: [UInt8]) {
        #expect(Hex.decode(text) == bytes)
    }

    /// Rows: text that is not hex, each refused whole.
    @Test(arguments: ["0", "abc", "0g", "g0", "00 ", " 000", "0x00", "ff\u{e9}", "00000000000000zz"])
    func refusesWhatIsNotHex(text: String) {
        #expect(Hex.decode(text) == nil)
    }

    @Test func roundTrips() {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        #expect(Hex.decode(Hex.encode(bytes)) == bytes)
    }
}
