import KeyChainOwner
import KeyChainRPC
import Logging
import ServiceLifecycle

/// A node, its client API and (on a network) its peers as one swift-service-lifecycle
/// service: on SIGINT/SIGTERM it stops accepting requests, tells its trackers it is gone, saves
/// its peers, stops mining, answers waiting clients and closes its chain (the key index written).
public struct NodeService: Service {
    /// The node.
    public let node: Node
    /// Its client API.
    public let server: APIServer
    /// Its transport, trackers and peers file, if it takes part in a network.
    public let network: PeerNetwork?

    /// Opens the node's data directory and claims its socket.
    public init(configuration: NodeConfiguration, logger: Logger) throws(NodeError) {
        node = try Node(configuration: configuration, logger: logger)
        try APIServer.claim(configuration.socketPath)
        server = APIServer(node: node, path: configuration.socketPath, maxRequestBytes: configuration.maxRequestBytes,
                           maxClients: configuration.maxClients, logger: logger)
        network = configuration.isNetworked ? PeerNetwork(node: node, logger: logger) : nil
    }

    public func run() async throws {
        node.start()
        do {
            try await network?.start()
        } catch {
            await node.shutdown()
            throw error
        }
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            server.stop()
        }
        await network?.stop()
        await node.shutdown()
    }
}
