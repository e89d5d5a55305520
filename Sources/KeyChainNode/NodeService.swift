import Logging
import ServiceLifecycle

/// A node and its client API as one swift-service-lifecycle service: on SIGINT/SIGTERM it stops
/// accepting requests, stops mining, answers waiting clients and writes its checkpoint.
public struct NodeService: Service {
    /// The node.
    public let node: Node
    /// Its client API.
    public let server: APIServer

    /// Opens the node's data directory and claims its socket.
    public init(configuration: NodeConfiguration, logger: Logger) throws(NodeError) {
        node = try Node(configuration: configuration, logger: logger)
        try APIServer.claim(configuration.socketPath)
        server = APIServer(node: node, path: configuration.socketPath, maxRequestBytes: configuration.maxRequestBytes, logger: logger)
    }

    public func run() async throws {
        node.start()
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            server.stop()
        }
        node.shutdown()
    }
}
