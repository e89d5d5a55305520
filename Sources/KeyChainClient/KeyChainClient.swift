import Foundation
import KeyChainAPI
import KeyChainCore
import NIOCore
import NIOPosix
import Synchronization

/// A connection to a KeyChain node's Unix socket. Calls may be made concurrently from any task;
/// they are pipelined on the one connection and each reply is matched to its call by id.
///
/// ```swift
/// let client = try await KeyChainClient.connect(socketPath: "data/node/keychain.sock")
/// let receipt = try await client.put(key: "config/db", value: Array(#"{"host":"db1"}"#.utf8), signer: .identity(me))
/// if case .confirmed(let depth, _, _) = await receipt.outcome { print("confirmed at depth \(depth)") }
/// let latest = try await client.retrieve("config/db")
/// ```
public final class KeyChainClient: Sendable {
    private let channel: Channel
    private let router: ResponseRouter
    private let nextID = Atomic<Int64>(0)

    private init(channel: Channel, router: ResponseRouter) {
        self.channel = channel
        self.router = router
    }

    /// Connects to the node listening at `socketPath`.
    public static func connect(socketPath: String) async throws(KeyChainClientError) -> KeyChainClient {
        let router = ResponseRouter()
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: 256 << 20)))
                        try channel.pipeline.syncOperations.addHandler(router)
                    }
                }
                .connect(unixDomainSocketPath: socketPath).get()
            return KeyChainClient(channel: channel, router: router)
        } catch {
            throw .connectFailed(path: socketPath, reason: "\(error)")
        }
    }

    /// Closes the connection; calls still waiting fail with `.disconnected`.
    public func close() async {
        try? await channel.close()
    }

    /// Notifications (`tx`, `tip`) that arrive after a `subscribe` call, as raw JSON lines.
    public var notifications: AsyncStream<String> { router.notifications }

    /// Calls `method` with `params` and decodes its result.
    public func call<Params: Codable & Sendable, Output: Codable & Sendable>(
        _ method: String, _ params: Params, as output: Output.Type = Output.self
    ) async throws(KeyChainClientError) -> Output {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body: Data
        do { body = try encoder.encode(RPCRequest(id: .number(id), method: method, params: params)) } catch {
            throw .malformedReply("cannot encode the request: \(error)")
        }
        var line = channel.allocator.buffer(capacity: body.count + 1)
        line.writeBytes(body)
        line.writeInteger(UInt8(ascii: "\n"))
        let buffer = line
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        let channel = self.channel
        let router = self.router
        channel.eventLoop.execute {
            router.expect(id, promise)
            channel.writeAndFlush(buffer).whenFailure { promise.fail($0) }
        }
        let reply: ByteBuffer
        do { reply = try await promise.futureResult.get() } catch let error as KeyChainClientError { throw error } catch {
            throw .disconnected("\(error)")
        }
        let response: RPCResponse<Output>
        do { response = try JSONDecoder().decode(RPCResponse<Output>.self, from: Data(reply.readableBytesView)) } catch {
            throw .malformedReply("\(error)")
        }
        if let error = response.error { throw .rpc(error) }
        guard let result = response.result else { throw .malformedReply("a reply with neither result nor error") }
        return result
    }
}

/// Why a client call failed.
public enum KeyChainClientError: Error, CustomStringConvertible, Sendable {
    /// No node listens at the path (or it refused the connection).
    case connectFailed(path: String, reason: String)
    /// The connection closed before the reply.
    case disconnected(String)
    /// The node answered with something that is not a reply to this call.
    case malformedReply(String)
    /// The node answered with a JSON-RPC error.
    case rpc(RPCError)

    public var description: String {
        switch self {
        case let .connectFailed(path, reason): "cannot connect to a node at \(path): \(reason)"
        case let .disconnected(reason): "the connection to the node closed: \(reason)"
        case let .malformedReply(reason): "the node's reply could not be read: \(reason)"
        case let .rpc(error): error.description
        }
    }

    /// The JSON-RPC error code, if the node answered with one.
    public var code: RPCErrorCode? {
        if case let .rpc(error) = self { return error.knownCode }
        return nil
    }
}
