import DequeModule
import Foundation
import KeyChainAPI
import KeyChainOwner
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization

/// The client API on a Unix socket (mode 0600). Reads are answered on the connection's event
/// loop; slower calls run in tasks; replies always leave in request order.
///
/// Bounded against clients that misbehave: at most `maxClients` connections (more are answered
/// with an error and closed); a connection is read no further while its unsent replies pass
/// `replyBacklog` (the socket not writable), while more than
/// `RPCConnectionHandler.maxOutstanding` of its requests are unanswered, or while the replies
/// finished ahead of an earlier one pass `RPCConnectionHandler.maxHeldReplyBytes` (a long
/// `wait` followed by pipelined reads), so its further requests wait in the socket, not in this
/// process; a subscriber that does not read its notifications is closed.
public final class APIServer: Sendable {
    private let node: Node
    /// The socket's path.
    public let path: String
    private let maxRequestBytes: Int
    private let maxClients: Int
    private let logger: Logger
    private let channels = NIOLockedValueBox<(server: Channel?, clients: [ObjectIdentifier: Channel], stopped: Bool)>((nil, [:], false))
    private let connectionCounter = Atomic<UInt64>(0)

    /// Unread reply bytes past which a connection stops being read (and below which it is read again).
    static let replyBacklog = ChannelOptions.Types.WriteBufferWaterMark(low: 256 << 10, high: 1 << 20)
    /// Notification bytes a subscriber may leave unread before it is closed.
    private let maxUnreadNotificationBytes: Int

    /// A server for `node` at `path`; a subscriber that leaves more than
    /// `maxUnreadNotificationBytes` of notifications unread is closed.
    public init(node: Node, path: String, maxRequestBytes: Int, maxClients: Int, maxUnreadNotificationBytes: Int = 8 << 20,
                logger: Logger) {
        self.node = node
        self.path = path
        self.maxRequestBytes = maxRequestBytes
        self.maxClients = max(maxClients, 1)
        self.maxUnreadNotificationBytes = maxUnreadNotificationBytes
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
        let maxLength = maxRequestBytes, maxUnread = maxUnreadNotificationBytes
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.writeBufferWaterMark, value: Self.replyBacklog)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    // The place is taken under the lock that counts them: two loops accepting at
                    // once cannot both take the last one.
                    let key = ObjectIdentifier(channel)
                    let (admitted, stopped) = channels.withLockedValue { state -> (Bool, Bool) in
                        guard state.clients.count < maxClients else { return (false, state.stopped) }
                        state.clients[key] = channel
                        node.clientCount.store(state.clients.count, ordering: .relaxed)
                        return (true, state.stopped)
                    }
                    guard admitted else {
                        logger.warning("client refused: too many connections", metadata: ["limit": "\(maxClients)"])
                        try channel.pipeline.syncOperations.addHandler(RefusedClientHandler(limit: maxClients))
                        return
                    }
                    let id = connectionCounter.add(1, ordering: .relaxed).newValue
                    let unread = UnreadBytes()
                    // Called on the owner's queue: the line is encoded on the connection's loop.
                    let sink: @Sendable (ChainNotification) -> Void = { [weak channel, logger] notification in
                        guard let channel else { return }
                        channel.eventLoop.execute {
                            let line = notification.line
                            let size = line.utf8.count + 1
                            // A subscriber that does not read would hold every notification since.
                            guard unread.count.add(size, ordering: .relaxed).newValue <= maxUnread else {
                                logger.notice("subscriber closed: it does not read its notifications",
                                              metadata: ["unread": "\(maxUnread) bytes"])
                                return channel.close(promise: nil)
                            }
                            var buffer = channel.allocator.buffer(capacity: size)
                            buffer.writeString(line)
                            buffer.writeInteger(UInt8(ascii: "\n"))
                            let written = channel.eventLoop.makePromise(of: Void.self)
                            written.futureResult.whenComplete { _ in unread.count.subtract(size, ordering: .relaxed) }
                            channel.writeAndFlush(buffer, promise: written)
                        }
                    }
                    let dispatcher = RPCDispatcher(node: node, connection: id, notifications: sink)
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: maxLength)))
                    try channel.pipeline.syncOperations.addHandler(RPCConnectionHandler(dispatcher: dispatcher, maxLength: maxLength, logger: logger))
                    if stopped { channel.close(promise: nil) }
                    channel.closeFuture.whenComplete { [self] _ in
                        channels.withLockedValue {
                            $0.clients.removeValue(forKey: key)
                            node.clientCount.store($0.clients.count, ordering: .relaxed)
                        }
                        node.unsubscribe(connection: id)
                    }
                }
            }
            .bind(unixDomainSocketPath: path).get()
        chmod(path, 0o600)
        let alreadyStopped = channels.withLockedValue { state -> Bool in
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
        let open = channels.withLockedValue { state -> [Channel] in
            state.stopped = true
            return [state.server].compactMap { $0 } + Array(state.clients.values)
        }
        for channel in open { channel.close(promise: nil) }
    }
}

/// Bytes handed to a connection and not yet written to its socket.
private final class UnreadBytes: Sendable {
    let count = Atomic<Int>(0)
}
