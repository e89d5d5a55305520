import Foundation
import KeyChainAPI
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The client API on a Unix socket (mode 0600). Reads are answered on the connection's event
/// loop; slower calls run in tasks; replies always leave in request order.
public final class APIServer: Sendable {
    private let node: Node
    /// The socket's path.
    public let path: String
    private let maxRequestBytes: Int
    private let logger: Logger
    private let channels = Mutex<(server: Channel?, clients: [ObjectIdentifier: Channel], stopped: Bool)>((nil, [:], false))
    private let connectionCounter = Atomic<UInt64>(0)

    /// A server for `node` at `path`.
    public init(node: Node, path: String, maxRequestBytes: Int, logger: Logger) {
        self.node = node
        self.path = path
        self.maxRequestBytes = maxRequestBytes
        self.logger = logger
    }

    /// Refuses a socket path served by a live process; removes a stale socket file.
    public static func claim(_ path: String) throws(NodeError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw .socketUnusable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw .socketUnusable(path: path, reason: "the path is longer than \(MemoryLayout.size(ofValue: address.sun_path) - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if connected == 0 { throw .socketInUse(path: path) }
        guard unlink(path) == 0 else {
            throw .socketUnusable(path: path, reason: "cannot remove the stale socket file: \(String(cString: strerror(errno)))")
        }
    }

    /// Listens and serves until `stop()`.
    public func run() async throws {
        let maxLength = maxRequestBytes
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = connectionCounter.add(1, ordering: .relaxed).newValue
                    let sink: @Sendable (String) -> Void = { [weak channel] line in
                        guard let channel else { return }
                        var buffer = channel.allocator.buffer(capacity: line.utf8.count + 1)
                        buffer.writeString(line)
                        buffer.writeInteger(UInt8(ascii: "\n"))
                        channel.writeAndFlush(buffer, promise: nil)
                    }
                    let dispatcher = RPCDispatcher(node: node, connection: id, notifications: sink)
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: maxLength)))
                    try channel.pipeline.syncOperations.addHandler(RPCConnectionHandler(dispatcher: dispatcher, maxLength: maxLength))
                    let key = ObjectIdentifier(channel)
                    let stopped = channels.withLock { state -> Bool in
                        state.clients[key] = channel
                        return state.stopped
                    }
                    if stopped { channel.close(promise: nil) }
                    channel.closeFuture.whenComplete { [self] _ in
                        _ = channels.withLock { $0.clients.removeValue(forKey: key) }
                        node.unsubscribe(connection: id)
                    }
                }
            }
            .bind(unixDomainSocketPath: path).get()
        chmod(path, 0o600)
        let alreadyStopped = channels.withLock { state -> Bool in
            state.server = server
            return state.stopped
        }
        if alreadyStopped { server.close(promise: nil) }
        logger.info("client API listening", metadata: ["socket": "\(path)"])
        try await server.closeFuture.get()
        unlink(path)
    }

    /// Stops listening and closes every connection.
    public func stop() {
        let open = channels.withLock { state -> [Channel] in
            state.stopped = true
            return [state.server].compactMap { $0 } + Array(state.clients.values)
        }
        for channel in open { channel.close(promise: nil) }
    }
}

/// One connection: each frame gets a sequence number; replies are written strictly in that
/// order, whether they were ready at once or came back from a task.
final class RPCConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = LineFrame
    typealias OutboundOut = ByteBuffer

    private let dispatcher: RPCDispatcher
    private let maxLength: Int
    private var nextSequence = 0
    private var nextToWrite = 0
    private var finished: [Int: String?] = [:]
    private var removed = false

    init(dispatcher: RPCDispatcher, maxLength: Int) {
        self.dispatcher = dispatcher
        self.maxLength = maxLength
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let sequence = nextSequence
        nextSequence += 1
        switch dispatcher.reply(to: unwrapInboundIn(data), maxLength: maxLength) {
        case let .now(reply):
            complete(sequence, reply, context: context)
        case let .later(work):
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            Task {
                let reply = await work()
                loop.execute {
                    let (handler, context) = bound.value
                    handler.complete(sequence, reply, context: context)
                }
            }
        }
    }

    private func complete(_ sequence: Int, _ reply: String?, context: ChannelHandlerContext) {
        guard !removed else { return }  // a task finished after the client left
        finished[sequence] = .some(reply)
        var wrote = false
        while let ready = finished.removeValue(forKey: nextToWrite) {
            nextToWrite += 1
            guard let line = ready else { continue }
            var buffer = context.channel.allocator.buffer(capacity: line.utf8.count + 1)
            buffer.writeString(line)
            buffer.writeInteger(UInt8(ascii: "\n"))
            context.write(wrapOutboundOut(buffer), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
