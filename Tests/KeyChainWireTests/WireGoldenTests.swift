import KeyChainCore
import KeyChainTestSupport
import KeyChainWire
import Testing

/// Frames and payloads byte for byte; expected values from an independent Python encoder.
@Suite struct WireGoldenTests {
    static let genesis = Hash256(hex: "3a11bceb10c3fa21711f9814a27f860558c459e4766b911fee22751afec1380e") ?? .zero
    static let one = Hash256(sha256d: Array("one".utf8))
    static let two = Hash256(sha256d: Array("two".utf8))
    var magic: UInt32 { Frame.magic(for: Self.genesis) }

    @Test func pingFrame() {
        let expected = [
            "3a11bceb",                          // magic: the genesis hash's first 4 bytes
            "70696e670000000000000000",          // "ping", NUL-padded to 12
            "08000000",                          // payload length 8
            "3b5a7513",                          // SHA-256d(payload)[0..<4]
            "0807060504030201",                  // nonce 0x0102030405060708
        ].joined()
        #expect(Hex.encode(Frame.encode(.ping(PingMessage(nonce: 0x0102_0304_0506_0708)), magic: magic)) == expected)
    }

    /// The one frame a node sends before it knows a network: magic 0, `getnetwork`, empty.
    @Test func bootstrapRequestFrame() {
        #expect(Hex.encode(BootstrapFrame.request) == "00000000" + "6765746e6574776f726b0000" + "00000000" + "5df6e0e2")
        #expect(BootstrapFrame.isRequest(Array(BootstrapFrame.request.prefix(10))) == nil)
        #expect(BootstrapFrame.isRequest(BootstrapFrame.request) == true)
        #expect(BootstrapFrame.isRequest(Array(repeating: 0, count: 24)) == false)
    }

    /// The answer carries the parameters' encoding, and is checked as any frame is.
    @Test func bootstrapReplyRoundTripsAndIsChecked() throws {
        let network = try NetworkParameters(name: "lab", difficultyBits: 18, createdAt: 5)
        let reply = BootstrapFrame.reply(network)
        #expect(Hex.encode(Array(reply.prefix(16))) == "00000000" + "6e6574776f726b0000000000")
        #expect(try BootstrapFrame.parameters(in: reply) == network)
        #expect(try BootstrapFrame.parameters(in: Array(reply.dropLast())) == nil)
        var corrupt = reply
        corrupt[corrupt.count - 1] ^= 1
        #expect(throws: WireError.self) { try BootstrapFrame.parameters(in: corrupt) }
        #expect(throws: WireError.self) { try BootstrapFrame.parameters(in: BootstrapFrame.request) }
    }

    @Test func verackFrameHasAnEmptyPayload() {
        #expect(Hex.encode(Frame.encode(.verack, magic: magic)) == "3a11bceb" + "76657261636b000000000000" + "00000000" + "5df6e0e2")
    }

    @Test func versionPayload() {
        let message = VersionMessage(genesis: Self.genesis, bestHeight: 1234, listenPort: 7101, nodeID: 0xA1B2_C3D4_E5F6_0718, timestamp: TestNetwork.createdAt)
        let expected = [
            "01000000",                          // protocol version 1
            Self.genesis.hex,                    // genesis hash
            "d2040000",                          // best height 1234
            "bd1b",                              // listen port 7101
            "1807f6e5d4c3b2a1",                  // node id
            "00a8da769b010000",                  // timestamp (ms)
        ].joined()
        #expect(Hex.encode(message.payload) == expected)
        #expect(Hex.encode(Frame.encode(.version(message), magic: magic)).hasPrefix("3a11bceb76657273696f6e00000000003a00000039d0239a"))
    }

    @Test func getHeadersPayload() {
        let message = GetHeadersMessage(locator: [Self.one, Self.two])
        #expect(Hex.encode(message.payload) == "0200" + Self.one.hex + Self.two.hex + String(repeating: "00", count: 32))
    }

    @Test func invPayload() {
        #expect(Hex.encode(InvMessage([InventoryItem(.transaction, Self.one)]).payload) == "0100" + "01" + Self.one.hex)
    }

    @Test func addrPayload() {
        let address = NetworkAddress(ipv4: 127, 0, 0, 1, port: 7101, lastSeen: TestNetwork.createdAt)
        #expect(Hex.encode(AddrMessage([address]).payload) == "0100" + "00000000000000000000ffff7f000001" + "1bbd" + "00a8da769b010000")
        #expect(address.host == "127.0.0.1")
    }

    @Test func rejectPayload() {
        let message = RejectMessage(rejectedCommand: "block", code: .invalid, reason: "bad merkle root", hash: Self.two)
        #expect(Hex.encode(message.payload) == "05" + "626c6f636b" + "10" + "0f" + "626164206d65726b6c6520726f6f74" + Self.two.hex)
    }
}

@Suite struct FrameDecoderTests {
    static let magic = Frame.magic(for: WireGoldenTests.genesis)

    func messages() throws -> [Message] {
        let identity = try TestNetwork.identity(3)
        let put = try TestNetwork.put("k", "v", by: identity)
        let parameters = try TestNetwork.parameters()
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [put], parameters: parameters)
        return [
            .version(VersionMessage(genesis: WireGoldenTests.genesis, bestHeight: 9, listenPort: 7101, nodeID: 42, timestamp: 1)),
            .verack, .ping(PingMessage(nonce: 7)), .pong(PongMessage(nonce: 7)),
            .getHeaders(GetHeadersMessage(locator: [WireGoldenTests.one], stop: WireGoldenTests.two)),
            .headers(HeadersMessage(headers: [block.header, parameters.genesisBlock.header])),
            .inv(InvMessage([InventoryItem(.transaction, put.id)])),
            .getData(GetDataMessage([InventoryItem(.block, block.hash), InventoryItem(.transaction, put.id)])),
            .notFound(NotFoundMessage([InventoryItem(.block, WireGoldenTests.one)])),
            .block(BlockMessage(block)), .tx(TransactionMessage(put)), .getAddr,
            .addr(AddrMessage([NetworkAddress(ipv4: 10, 1, 2, 3, port: 1, lastSeen: 2)])),
            .reject(RejectMessage(rejectedCommand: "tx", code: .duplicate, reason: "already have it", hash: put.id)),
        ]
    }

    /// Every message survives a round trip, fed to the decoder one byte at a time.
    @Test func everyMessageRoundTripsThroughAByteStream() throws {
        let all = try messages()
        var stream: [UInt8] = []
        for message in all { stream += Frame.encode(message, magic: Self.magic) }
        var decoder = FrameDecoder(magic: Self.magic)
        var decoded: [Message] = []
        for byte in stream {
            decoder.append([byte])
            while let message = try decoder.next() { decoded.append(message) }
        }
        #expect(decoded == all)
        #expect(decoder.buffered == 0)
    }

    /// Every truncation of every payload is refused as malformed, never trapped on.
    @Test func everyTruncatedPayloadIsRefused() throws {
        for message in try messages() where !message.payload.isEmpty {
            let payload = message.payload
            for length in 0..<payload.count {
                #expect(throws: WireError.self) { try Message.decode(command: message.command, payload: Array(payload.prefix(length))) }
            }
            #expect(throws: WireError.self) { try Message.decode(command: message.command, payload: payload + [0]) }
        }
    }

    struct BadFrame: Sendable, CustomTestStringConvertible {
        let name: String
        let mutate: @Sendable ([UInt8]) -> [UInt8]
        let error: WireError
        var testDescription: String { name }
    }

    static let badFrames: [BadFrame] = [
        BadFrame(name: "another network", mutate: { var b = $0; b[0] ^= 0xFF; return b },
                 error: .wrongNetwork(expected: magic, actual: magic ^ 0xFF)),
        BadFrame(name: "unknown command", mutate: { var b = $0; b[4] = UInt8(ascii: "x"); return b }, error: .unknownCommand("xing")),
        BadFrame(name: "command not NUL-padded", mutate: { var b = $0; b[15] = UInt8(ascii: "z"); return b }, error: .malformedCommand),
        BadFrame(name: "non-ASCII command", mutate: { var b = $0; b[4] = 0xC3; return b }, error: .malformedCommand),
        BadFrame(name: "payload over the message's limit", mutate: { var b = $0; b[16] = 9; return b },
                 error: .oversized(command: "ping", length: 9, maximum: 8)),
        BadFrame(name: "length over 4 MB", mutate: { var b = $0; b[16] = 0; b[17] = 0; b[18] = 0xFF; b[19] = 0; return b },
                 error: .oversized(command: "ping", length: 0xFF_0000, maximum: 8)),
        BadFrame(name: "bad checksum", mutate: { var b = $0; b[20] ^= 1; return b }, error: .badChecksum(command: "ping")),
        BadFrame(name: "flipped payload", mutate: { var b = $0; b[24] ^= 1; return b }, error: .badChecksum(command: "ping")),
    ]

    @Test(arguments: badFrames) func badFramesAreRefused(_ test: BadFrame) {
        var decoder = FrameDecoder(magic: Self.magic)
        decoder.append(test.mutate(Frame.encode(.ping(PingMessage(nonce: 1)), magic: Self.magic)))
        #expect(throws: test.error) { try decoder.next() }
    }

    /// An oversized length is refused from the header alone, before the payload arrives.
    @Test func oversizeIsRefusedBeforeThePayloadArrives() {
        var header = Frame.encode(.block(BlockMessage(Block(header: BlockHeader(previous: .zero, merkleRoot: .zero, timestamp: 0, target: 0), transactions: []))), magic: Self.magic)
        header = Array(header.prefix(Frame.headerSize))
        header[16] = 0xFF; header[17] = 0xFF; header[18] = 0xFF; header[19] = 0x7F
        var decoder = FrameDecoder(magic: Self.magic)
        decoder.append(header)
        #expect(throws: WireError.oversized(command: "block", length: 0x7FFF_FFFF, maximum: Block.maxEncodedSize)) { try decoder.next() }
    }

    @Test func countsBeyondTheirLimitsAreRefused() {
        var tooMany = ByteWriter()
        tooMany.write(UInt16(102))
        #expect(throws: WireError.malformedPayload(command: "getheaders", reason: .oversized(field: "locator count", length: 102, maximum: 101))) {
            try Message.decode(command: "getheaders", payload: tooMany.bytes)
        }
        var headers = ByteWriter()
        headers.write(UInt16(2_001))
        #expect(throws: WireError.malformedPayload(command: "headers", reason: .oversized(field: "header count", length: 2_001, maximum: 2_000))) {
            try Message.decode(command: "headers", payload: headers.bytes)
        }
        var inventory = ByteWriter()
        inventory.write(UInt16(3))
        inventory.write(UInt8(9))
        #expect(throws: WireError.self) { try Message.decode(command: "inv", payload: inventory.bytes) }
    }
}
