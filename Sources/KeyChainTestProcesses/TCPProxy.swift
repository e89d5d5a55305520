import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP proxy on 127.0.0.1 in front of one port: the one link between two nodes in a test, so
/// that the test can cut it (close every connection and stop accepting) and restore it.
public final class TCPProxy: Sendable {
    /// The port the proxy listens on.
    public let port: Int
    private let target: Int
    private let state = NIOLockedValueBox<(listener: Channel?, connections: [Channel])>((nil, []))

    /// A proxy in front of 127.0.0.1:`target`, accepting.
    public init(target: Int) async throws {
        self.target = target
        port = try freePort()
        try await restore()
    }

    /// Accepts connections again.
    public func restore() async throws {
        let target = self.target
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { [state] inbound in
                state.withLockedValue { $0.connections.append(inbound) }
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: "127.0.0.1", port: target)
                    .flatMap { outbound in
                        state.withLockedValue { $0.connections.append(outbound) }
                        let (toOutbound, toInbound) = Glue.pair()
                        return inbound.pipeline.addHandler(toOutbound).and(outbound.pipeline.addHandler(toInbound)).map { _ in
                            toOutbound.partner = toInbound
                            toInbound.partner = toOutbound
                            inbound.read()
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: port).get()
        state.withLockedValue { $0.listener = listener }
    }

    /// Closes every proxied connection and stops accepting new ones.
    public func cut() async {
        let (listener, connections) = state.withLockedValue { state -> (Channel?, [Channel]) in
            defer { state = (nil, []) }
            return state
        }
        try? await listener?.close()
        for channel in connections { try? await channel.close() }
    }

    /// Cuts the link for good.
    public func close() async { await cut() }
}

/// One direction of a proxied connection: writes what it reads to its partner's channel, and
/// closes the partner when its own side closes. Both channels of a pair share an event loop.
private final class Glue: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    var partner: Glue?
    private var context: ChannelHandlerContext?

    static func pair() -> (Glue, Glue) { (Glue(), Glue()) }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil; partner = nil }

    private func write(_ data: NIOAny) {
        context?.writeAndFlush(data, promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { partner?.write(data) }
    func channelReadComplete(context: ChannelHandlerContext) { context.read() }
    func channelActive(context: ChannelHandlerContext) { context.read() }
    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
    }
}
