import KeyChainWire
import NIOCore

/// Cuts one connection's bytes into frames for the protocol, opened on the link's inbox.
/// `FrameDecoder` checks a frame's magic, command and length as soon as its 24-byte header is
/// in, so an oversize frame is refused before its payload is buffered; its checksum and payload
/// are checked where it is opened (`PeerTransport.arrived`). The first bad frame ends the
/// connection: it is reported as `malformed` (the protocol decides on a ban) and nothing after
/// it is read.
final class PeerChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let link: PeerLink
    private let transport: PeerTransport
    private var decoder: FrameDecoder
    private var failed = false
    /// Bytes of an inbound connection before its first frame is known (nil once it is, and on
    /// an outbound connection).
    private var opening: [UInt8]?

    init(link: PeerLink, magic: UInt32, transport: PeerTransport) {
        self.link = link
        self.transport = transport
        decoder = FrameDecoder(magic: magic)
        opening = link.outbound ? nil : []
    }

    func channelActive(context: ChannelHandlerContext) {
        if !transport.opened(link) { context.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        transport.closed(link)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let buffer = unwrapInboundIn(data)
        link.bytesIn.add(UInt64(buffer.readableBytes), ordering: .relaxed)
        transport.received(buffer.readableBytes, message: nil)
        if let opening {
            // The first bytes of an inbound connection: a node that knows no network yet may
            // ask for ours (`BootstrapFrame`) before anything else.
            let bytes = opening + Array(buffer.readableBytesView)
            if BootstrapFrame.starts(bytes) {
                switch BootstrapFrame.isRequest(bytes) {
                case nil:
                    self.opening = bytes
                    return
                case true?:
                    failed = true
                    let channel = context.channel
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: BootstrapFrame.reply(transport.network)))).whenComplete { _ in
                        channel.close(promise: nil)
                    }
                    return
                case false?:
                    break
                }
            }
            self.opening = nil
            decoder.append(bytes)
        } else {
            decoder.append(buffer.readableBytesView)
        }
        do {
            let before = decoder.buffered
            var frames: [RawFrame] = []
            defer { if !frames.isEmpty { transport.arrived(frames, bytes: before - decoder.buffered, on: link) } }
            // Only cut here: the checksums and the decoding (a SHA-256d per put of a block)
            // happen on the link's inbox, not on the loop every peer shares.
            while let frame = try decoder.nextFrame() {
                transport.received(0, message: frame.command)
                frames.append(frame)
            }
            if link.inboxBytes.load(ordering: .relaxed) > PeerLink.maxInboxBytes, !link.readingPaused.exchange(true, ordering: .relaxed) {
                // The owner and the verifiers are behind: let TCP push back on the peer until
                // the inbox drains (`PeerTransport.arrived` turns reading back on).
                context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
                transport.deliver(.reading(link.id, paused: true))
            }
        } catch {
            failed = true
            transport.malformed(link, reason: error.description)
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
