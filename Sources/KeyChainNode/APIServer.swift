import Foundation
import KeyChainAPI
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The client API on a Unix socket (mode 0600): one task per connection reading lines and
/// answering each in order; notifications share the connection's single writer.
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
        guard unlink(path) == 0 else { throw .socketUnusable(path: path, reason: "cannot remove the stale socket file: \(String(cString: strerror(errno)))") }
    }

    /// Listens and serves until `stop()`.
    public func run() async throws {
        let maxLength = maxRequestBytes
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .bind(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: maxLength)))
                    return try NIOAsyncChannel<LineFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        chmod(path, 0o600)
        let alreadyStopped = channels.withLock { state -> Bool in
            state.server = server.channel
            return state.stopped
        }
        if alreadyStopped { server.channel.close(promise: nil) }
        logger.info("client API listening", metadata: ["socket": "\(path)"])
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
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

    private func serve(_ connection: NIOAsyncChannel<LineFrame, ByteBuffer>) async {
        let id = connectionCounter.add(1, ordering: .relaxed).newValue
        let key = ObjectIdentifier(connection.channel)
        let stopped = channels.withLock { state -> Bool in
            state.clients[key] = connection.channel
            return state.stopped
        }
        if stopped { connection.channel.close(promise: nil) }
        let (lines, sink) = AsyncStream<String>.makeStream()
        let dispatcher = RPCDispatcher(node: node, connection: id, notifications: sink)
        let maxLength = maxRequestBytes
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // The only writer: replies (in request order) and notifications.
                    group.addTask {
                        for await line in lines {
                            var buffer = ByteBuffer()
                            buffer.reserveCapacity(line.utf8.count + 1)
                            buffer.writeString(line)
                            buffer.writeInteger(UInt8(ascii: "\n"))
                            try await outbound.write(buffer)
                        }
                    }
                    for try await frame in inbound {
                        if let reply = await dispatcher.reply(to: frame, maxLength: maxLength) { sink.yield(reply) }
                    }
                    sink.finish()
                    try await group.waitForAll()
                }
            }
        } catch {
            logger.debug("connection closed", metadata: ["error": "\(error)"])
        }
        sink.finish()
        _ = channels.withLock { $0.clients.removeValue(forKey: key) }
        await node.unsubscribe(connection: id)
    }
}
