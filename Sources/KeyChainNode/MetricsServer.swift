import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Serves `GET /metrics` (Prometheus text) from a collector registry over HTTP/1.1; a lifecycle
/// `Service` in the node's `ServiceGroup` (`MetricsServer+Service`).
public final class MetricsServer: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let host: String
    private let port: Int
    private let logger: Logger
    private let channel = NIOLockedValueBox<Channel?>(nil)

    /// A server for `registry` on `host:port` (port 0 picks a free one).
    public init(registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger) {
        self.registry = registry
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// Binds and returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        let registry = self.registry
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry))
                }
            }
            .bind(host: host, port: port).get()
        channel.withLockedValue { $0 = bound }
        let actual = bound.localAddress?.port ?? port
        logger.info("metrics listening", metadata: ["address": "\(host):\(actual)"])
        return actual
    }

    /// Closes the listener.
    public func stop() {
        channel.withLockedValue { $0?.close(promise: nil) }
    }

    /// Whether `start()` has bound the listener.
    var isListening: Bool { channel.withLockedValue { $0 != nil } }

    /// Returns when the listener closes.
    func waitUntilClosed() async throws {
        try await channel.withLockedValue { $0 }?.closeFuture.get()
    }
}

private final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private let registry: PrometheusCollectorRegistry
    private var path = ""
    private var keepAlive = true

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            path = head.method == .GET ? String(head.uri.split(separator: "?").first ?? "") : ""
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            var bytes: [UInt8] = []
            let status: HTTPResponseStatus
            if path == "/metrics" {
                registry.emit(into: &bytes)
                status = .ok
            } else {
                bytes = Array("only GET /metrics is served here\n".utf8)
                status = .notFound
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
            headers.add(name: "Content-Length", value: String(bytes.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
            if keepAlive {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            } else {
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
