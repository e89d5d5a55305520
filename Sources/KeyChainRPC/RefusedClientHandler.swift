import KeyChainAPI
import KeyChainOwner
import NIOCore

/// Answers a client connection beyond the node's limit with one JSON-RPC error line
/// (`unavailable`, naming the limit) and closes it.
final class RefusedClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func channelActive(context: ChannelHandlerContext) {
        let reply = #"{"jsonrpc":"2.0","id":null,"error":{"code":\#(RPCErrorCode.unavailable.rawValue),"message":"the node serves at most \#(limit) client connections; try again later"}}"#
        var buffer = context.channel.allocator.buffer(capacity: reply.utf8.count + 1)
        buffer.writeString(reply + "\n")
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
