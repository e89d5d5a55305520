import NIOCore

/// How a request handed to the owner reports back to its connection. Each call hops to the
/// connection's event loop; the owner never runs the connection's code.
struct RPCReplyHandle: Sendable {
    private let loop: any EventLoop
    private let bound: NIOLoopBound<(RPCConnectionHandler, ChannelHandlerContext)>
    private let request: RPCConnectionHandler.Tag

    init(handler: RPCConnectionHandler, context: ChannelHandlerContext, request: RPCConnectionHandler.Tag) {
        loop = context.eventLoop
        bound = NIOLoopBound((handler, context), eventLoop: context.eventLoop)
        self.request = request
    }

    /// The request's effect is in the published view: the reads after it may run.
    func applied() {
        let bound = self.bound
        loop.execute {
            let (handler, context) = bound.value
            handler.applied(context: context)
        }
    }

    /// The reply, encoded on the connection's event loop.
    func reply(_ build: @escaping @Sendable () -> String?) {
        let (bound, request) = (self.bound, self.request)
        loop.execute {
            let (handler, context) = bound.value
            handler.complete(request, build(), context: context)
        }
    }

    /// The reply, encoded in a task: for replies that take milliseconds to encode (a batch's
    /// thousands of entries), which would hold up the loop's other connections.
    func replyBuiltElsewhere(_ build: @escaping @Sendable () -> String?) {
        let (loop, bound, request) = (self.loop, self.bound, self.request)
        Task {
            let text = build()
            loop.execute {
                let (handler, context) = bound.value
                handler.complete(request, text, context: context)
            }
        }
    }
}
