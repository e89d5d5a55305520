import Foundation
import KeyChainClient

/// A `keychain-node` child process, stopped (by its PID) when the value is released.
public final class NodeProcess: @unchecked Sendable {
    /// Its data directory.
    public let dataDirectory: String
    /// Its client socket.
    public let socketPath: String
    /// Its log, beside the data directory.
    public let logPath: String
    private let process = Process()

    /// Starts `keychain-node --dev` on `dataDirectory` and waits until its socket answers.
    /// `wrapper` runs the node through another command (`ip netns exec HOST`).
    public init(dataDirectory: String, arguments: [String] = ["--dev"], waitUntilReady: Bool = true, wrapper: [String] = []) async throws {
        self.dataDirectory = dataDirectory
        socketPath = (dataDirectory as NSString).appendingPathComponent("keychain.sock")
        logPath = dataDirectory + ".log"
        try start(process, wrapper + [Binaries.node] + arguments + ["--data-dir", dataDirectory, "--log-level", "notice"], log: logPath)
        if waitUntilReady {
            try await eventually("the node's socket at \(socketPath)") {
                guard process.isRunning else {
                    throw ProcessFailure(description: "node exited with status \(process.terminationStatus) at start-up: \(self.log)")
                }
                let client = try await KeyChainClient.connect(socketPath: socketPath)
                defer { Task { await client.close() } }
                _ = try await client.status()
                return true
            }
        }
    }

    /// Its process id.
    public var pid: Int32 { process.processIdentifier }
    /// Whether it has not exited.
    public var isRunning: Bool { process.isRunning }
    /// Its log so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends a signal and waits (bounded) for the process to exit; returns its status. After
    /// SIGTERM or SIGINT a node must exit cleanly (status 0): anything else throws, with its log.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, seconds: Double = 90) async throws -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, signal)
            try await eventually("node \(pid) to exit after signal \(signal)", seconds: seconds) { !process.isRunning }
        }
        if (signal == SIGTERM || signal == SIGINT) && (process.terminationReason != .exit || process.terminationStatus != 0) {
            throw ProcessFailure(description: "node \(pid) exited with status \(process.terminationStatus) (\(process.terminationReason == .exit ? "exit" : "signal")) after signal \(signal): \(log)")
        }
        return process.terminationStatus
    }

    /// Waits (bounded) for the process to exit on its own; returns its status.
    public func exitStatus(seconds: Double = 90) async throws -> Int32 {
        try await eventually("node \(pid) to exit", seconds: seconds) { !process.isRunning }
        return process.terminationStatus
    }

    /// A new client connection to its socket.
    public func client() async throws -> KeyChainClient { try await KeyChainClient.connect(socketPath: socketPath) }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
