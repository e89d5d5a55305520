import KeyChainAPI
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

/// The client API's line framing, fed byte by byte and in every split by NIO's verifier: the
/// same frames whatever the reads, an over-long line reported once with its length and the
/// stream going on after it.
@Suite struct LineFrameDecoderTests {
    static func line(_ text: String) -> LineFrame { .line(ByteBuffer(string: text)) }

    @Test func framesAreTheSameInEverySplit() throws {
        let pairs: [(ByteBuffer, [LineFrame])] = [
            (ByteBuffer(string: "a\n"), [Self.line("a")]),
            (ByteBuffer(string: "one\ntwo\r\n\n"), [Self.line("one"), Self.line("two"), Self.line("")]),
            (ByteBuffer(string: #"{"id":1}"# + "\r\n"), [Self.line(#"{"id":1}"#)]),
            // At the limit (16 bytes) a line passes; one byte more is reported, and the next line is read.
            (ByteBuffer(string: "0123456789abcdef\n0123456789abcdefg\nok\n"), [Self.line("0123456789abcdef"), .tooLong(17), Self.line("ok")]),
            (ByteBuffer(string: String(repeating: "x", count: 50) + "\nafter\n"), [.tooLong(50), Self.line("after")]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { LineFrameDecoder(maxLength: 16) }
    }

    /// A last line without its newline is still a request when the client closes.
    @Test func aLastLineWithoutANewlineIsDelivered() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maxLength: 64)))
        try channel.writeInbound(ByteBuffer(string: "first\nlast"))
        #expect(try channel.readInbound(as: LineFrame.self) == Self.line("first"))
        #expect(try channel.readInbound(as: LineFrame.self) == nil)
        channel.pipeline.fireChannelInactive()
        #expect(try channel.readInbound(as: LineFrame.self) == Self.line("last"))
    }
}
