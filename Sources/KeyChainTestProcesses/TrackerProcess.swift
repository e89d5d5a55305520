import Foundation

/// A `keychain-tracker` child process on 127.0.0.1, stopped by its PID when released.
public final class TrackerProcess: @unchecked Sendable {
    /// Its port.
    public let port: Int
    /// Its state directory.
    public let stateDirectory: String
    /// Its log, beside the state directory.
    public let logPath: String
    private let process = Process()

    /// Starts a tracker on `host` and waits until `/health` answers (or, run through a
    /// `wrapper` such as `ip netns exec HOST`, until it logs that it listens).
    public init(stateDirectory: String, host: String = "127.0.0.1", port: Int? = nil, arguments: [String] = ["--difficulty", "12"],
         wrapper: [String] = []) async throws {
        self.port = try port ?? freePort()
        self.stateDirectory = stateDirectory
        self.host = host
        logPath = stateDirectory + ".log"
        try start(process, wrapper + [Binaries.tracker, "--listen", "\(host):\(self.port)", "--state-dir", stateDirectory] + arguments,
                  log: logPath)
        let port = self.port
        try await eventually("the tracker on port \(port)") {
            guard process.isRunning else { throw ProcessFailure(description: "tracker exited with status \(process.terminationStatus): \(self.log)") }
            return wrapper.isEmpty ? try await httpGet(port, "/health").status == 200 : self.log.contains("tracker listening")
        }
    }

    /// The address it listens on.
    public let host: String
    /// `HOST:PORT`, as nodes are given it.
    public var address: String { "\(host):\(port)" }
    /// Whether it has not exited.
    public var isRunning: Bool { process.isRunning }
    /// Its log so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits (bounded) for a clean exit.
    public func stop() async throws {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            try await eventually("tracker \(process.processIdentifier) to exit") { !process.isRunning }
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw ProcessFailure(description: "tracker exited with status \(process.terminationStatus): \(log)")
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
