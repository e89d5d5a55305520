import NIOCore
import NIOHTTP1

/// One HTTP/1 connection to the tracker: gathers a request (its body capped), answers it, and
/// answers 400 to one that is oversize or left incomplete.
final class TrackerHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: TrackerServer
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var refused: String?

    init(server: TrackerServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(request):
            head = request
            body = []
            refused = nil
            if let length = request.headers.first(name: "Content-Length").flatMap(Int.init), length > TrackerServer.maxBodyBytes {
                refused = "the body is \(length) bytes; the most accepted is \(TrackerServer.maxBodyBytes)"
            }
        case var .body(chunk):
            guard refused == nil else { return }
            if body.count + chunk.readableBytes > TrackerServer.maxBodyBytes {
                refused = "the body is over \(TrackerServer.maxBodyBytes) bytes"
                body = []
            } else {
                body += chunk.readBytes(length: chunk.readableBytes) ?? []
            }
        case .end:
            guard let request = head else { return }
            head = nil
            let response: TrackerServer.Response
            if let refused {
                response = .error(.badRequest, refused)
            } else {
                let source = context.channel.remoteAddress?.ipAddress ?? ""
                response = server.respond(method: request.method, uri: request.uri, body: body, source: source)
            }
            send(response, context: context, keepAlive: request.isKeepAlive && refused == nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is IdleStateHandler.IdleStateEvent else { return context.fireUserInboundEventTriggered(event) }
        if head != nil {
            send(.error(.badRequest, "the request was not complete after \(TrackerServer.requestTimeout.nanoseconds / 1_000_000_000) s"),
                 context: context, keepAlive: false)
        } else {
            context.close(promise: nil)
        }
    }

    private func send(_ response: TrackerServer.Response, context: ChannelHandlerContext, keepAlive: Bool) {
        server.metrics.request(status: Int(response.status.code))
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
