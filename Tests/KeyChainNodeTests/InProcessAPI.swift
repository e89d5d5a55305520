import Foundation
import KeyChainOwner
import KeyChainRPC
import KeyChainStore
import KeyChainTestProcesses
import KeyChainTestSupport
import Logging

/// A started `--dev` node in this process and its API server on a socket in a temporary
/// directory: for tests of the client API that need a real socket but not a process.
struct InProcessAPI {
    let directory: TemporaryDirectory
    let node: Node
    let server: APIServer
    let serving: Task<Void, any Error>
    var socket: String { server.path }

    /// Starts them (the wallet `TestNetwork.identity(wallet)`) and waits, bounded, for the socket.
    init(wallet: UInt8, maxClients: Int = 16, maxUnreadNotificationBytes: Int = 8 << 20) async throws {
        directory = try TemporaryDirectory()
        node = try Node(parameters: try TestNetwork.parameters(difficultyBits: 4), storage: MemoryBlockStore(),
                        wallet: try TestNetwork.identity(wallet), configuration: NodeConfiguration(dataDirectory: directory.path, dev: true))
        node.start()
        server = APIServer(node: node, path: directory.file("api.sock"), maxRequestBytes: 1 << 20, maxClients: maxClients,
                           maxUnreadNotificationBytes: maxUnreadNotificationBytes, logger: Logger(label: "test.api"))
        let server = self.server
        serving = Task { try await server.run() }
        // The default deadline: in a full run every suite starts at once, and the first 40-65 s
        // leave little of the pool for this (30 s once ran out, and the test then failed on
        // connecting instead of saying why).
        try await eventually("the API socket at \(server.path)") { FileManager.default.fileExists(atPath: server.path) }
    }

    /// Stops the server and the node.
    func stop() async {
        server.stop()
        _ = try? await serving.value
        await node.shutdown()
    }
}
