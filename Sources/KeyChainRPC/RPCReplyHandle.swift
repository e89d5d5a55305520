import NIOCore

/// How a request handed elsewhere (a verifier thread, the owner) reports back to its
/// connection. Each call hops to the connection's event loop; no other thread runs the
/// connection's code.
struct RPCReplyHandle: Sendable {
    private let loop: any EventLoop
    private let bound: NIOLoopBound<(RPCConnectionHandler, ChannelHandlerContext)>
    /// The request it answers.
    let request: RPCConnectionHandler.Tag

    init(handler: RPCConnectionHandler, context: ChannelHandlerContext, request: RPCConnectionHandler.Tag) {
        loop = context.eventLoop
        bound = NIOLoopBound((handler, context), eventLoop: context.eventLoop)
        self.request = request
    }

    /// Runs `body` on the connection's event loop, with its handler and context.
    func onLoop(_ body: @escaping @Sendable (RPCConnectionHandler, ChannelHandlerContext) -> Void) {
        let bound = self.bound
        loop.execute {
            let (handler, context) = bound.value
            body(handler, context)
        }
    }

    /// The request's effect is in the published view: the reads after it may run.
    func applied() {
        onLoop { handler, context in handler.applied(context: context) }
    }

    /// The reply, encoded on the connection's event loop.
    func reply(_ build: @escaping @Sendable () -> String?) {
        let request = self.request
        onLoop { handler, context in handler.complete(request, build(), context: context) }
    }

    /// The reply, encoded in a task: for replies that take milliseconds to encode (a batch's
    /// thousands of entries), which would hold up the loop's other connections.
    func replyBuiltElsewhere(_ build: @escaping @Sendable () -> String?) {
        let handle = self
        Task {
            let text = build()
            handle.onLoop { handler, context in handler.complete(handle.request, text, context: context) }
        }
    }
}
