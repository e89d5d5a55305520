import Foundation
import KeyChainClient
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

/// README's first command: `keychain-devnet` brings up a connected network, and SIGTERM stops
/// every child it started.
@Suite(.serialized) struct DevnetTests {
    @Test func aDevnetComesUpConnectedAndStopsEveryChild() async throws {
        let directory = try TemporaryDirectory()
        let port = try freePorts(103)  // the tracker's, the nodes' and, 100 above, their metrics'
        let outputPath = directory.file("devnet.out")
        let process = Process()
        try start(process, [Binaries.devnet, "--nodes", "2", "--difficulty", "12", "--hash-rate-limit", "4000",
                            "--data-dir", directory.file("devnet"), "--base-port", String(port)], log: outputPath)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func text() -> String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

        try await eventually("the devnet to say it is up") {
            guard process.isRunning else { throw ProcessFailure(description: "devnet exited: \(text())") }
            return text().contains("all connected")
        }
        #expect(text().contains("[node1]") && text().contains("[tracker]"), "logs are not prefixed: \(text())")
        #expect(text().contains("--socket \(directory.file("devnet"))/node2/keychain.sock"))

        let client = try await KeyChainClient.connect(socketPath: directory.file("devnet/node1/keychain.sock"))
        let receipt = try await client.put(key: "devnet/hello", value: Array("world".utf8), signer: .node)
        guard case .confirmed = await receipt.outcome else { Issue.record("put not confirmed"); return }
        await client.close()
        let reader = try await KeyChainClient.connect(socketPath: directory.file("devnet/node2/keychain.sock"))
        try await eventually("node 2 to have the put") { try await reader.retrieve("devnet/hello")?.value == "world" }
        await reader.close()

        kill(process.processIdentifier, SIGTERM)
        try await eventually("the devnet to exit") { !process.isRunning }
        #expect(process.terminationStatus == 0, "\(text())")
        #expect(!text().contains("ended with status"), "a child did not stop cleanly: \(text())")
        // Every child is gone: their sockets are removed on a clean stop.
        #expect(!FileManager.default.fileExists(atPath: directory.file("devnet/node1/keychain.sock")))
        #expect(!FileManager.default.fileExists(atPath: directory.file("devnet/node2/keychain.sock")))
    }

    /// A new network's parameters that cannot be are refused with the reason before any child
    /// starts (nothing is written under --data-dir).
    @Test(arguments: [
        (["--block-interval", "0"], "--block-interval must be positive"),
        (["--max-block-size", "100"], "--max-block-size must be 1024-3999936 bytes"),
        (["--fixed-difficulty", "--half-life", "5"], "contradict"),
    ])
    func badNetworkFlagsAreRefusedBeforeAnythingStarts(_ flags: [String], _ reason: String) async throws {
        let directory = try TemporaryDirectory()
        let outputPath = directory.file("devnet.out")
        let process = Process()
        try start(process, [Binaries.devnet, "--data-dir", directory.file("devnet"), "--base-port", "7900"] + flags, log: outputPath)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await eventually("the devnet to exit") { !process.isRunning }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus != 0)
        #expect(text.contains(reason), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("devnet")))
    }
}
