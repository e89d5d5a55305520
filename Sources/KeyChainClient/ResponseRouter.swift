import Foundation
import KeyChainAPI
import NIOCore

/// Matches reply lines to the calls waiting for them, by id, and passes notifications on.
/// Lives on its channel's event loop: `expect` and the handler callbacks all run there.
final class ResponseRouter: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = LineFrame

    private var pending: [Int64: EventLoopPromise<ByteBuffer>] = [:]
    private let decoder = JSONDecoder()
    let notifications: AsyncStream<String>
    private let notificationSink: AsyncStream<String>.Continuation

    init() {
        (notifications, notificationSink) = AsyncStream<String>.makeStream()
    }

    func expect(_ id: Int64, _ promise: EventLoopPromise<ByteBuffer>) { pending[id] = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case let .line(buffer) = unwrapInboundIn(data) else { return }
        guard let head = try? decoder.decode(RPCIncomingHead.self, from: Data(buffer.readableBytesView)) else { return }
        if case let .number(id)? = head.id, let promise = pending.removeValue(forKey: id) {
            promise.succeed(buffer)
        } else if head.method != nil {
            notificationSink.yield(String(buffer: buffer))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(KeyChainClientError.disconnected("the node closed the connection"))
        notificationSink.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(KeyChainClientError.disconnected("\(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: Error) {
        let waiting = pending
        pending = [:]
        for promise in waiting.values { promise.fail(error) }
    }
}
