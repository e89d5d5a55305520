import NIOCore

/// One line of the client API, or the fact that a line was longer than the limit.
public enum LineFrame: Sendable, Equatable {
    /// A complete line without its terminator.
    case line(ByteBuffer)
    /// A line of this many bytes was discarded: the reader answers with an error and goes on.
    case tooLong(Int)
}

/// Splits a byte stream at "\n" (a preceding "\r" is dropped). A line longer than `maxLength`
/// is skipped to its end and reported as `.tooLong`, so one oversized request costs an error
/// reply, not the connection.
public struct LineFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = LineFrame

    /// The longest line accepted.
    public let maxLength: Int
    private var discarding = 0
    private var scanned = 0

    /// A decoder for lines of at most `maxLength` bytes.
    public init(maxLength: Int) { self.maxLength = maxLength }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let start = view.startIndex + min(scanned, view.count)
        guard let newline = view[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            if discarding > 0 || buffer.readableBytes > maxLength {
                discarding += buffer.readableBytes
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                scanned = 0
            } else {
                scanned = view.count
            }
            return .needMoreData
        }
        scanned = 0
        let length = newline - view.startIndex
        if discarding > 0 || length > maxLength {
            let total = discarding + length
            discarding = 0
            buffer.moveReaderIndex(forwardBy: length + 1)
            context.fireChannelRead(wrapInboundOut(.tooLong(total)))
            return .continue
        }
        var line = buffer.readSlice(length: length) ?? ByteBuffer()
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        context.fireChannelRead(wrapInboundOut(.line(line)))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last line without "\n" is still a request.
        if try decode(context: context, buffer: &buffer) == .continue { return .continue }
        if buffer.readableBytes > 0 && discarding == 0 {
            let line = buffer.readSlice(length: buffer.readableBytes) ?? ByteBuffer()
            context.fireChannelRead(wrapInboundOut(.line(line)))
        }
        return .needMoreData
    }
}
