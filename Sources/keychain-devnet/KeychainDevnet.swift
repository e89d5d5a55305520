import ArgumentParser
import Dispatch
import Foundation

/// `keychain-devnet`: a tracker and N mining nodes on 127.0.0.1 as child processes, for
/// trying KeyChain out on one machine. It runs the `keychain-tracker` and `keychain-node`
/// executables that sit beside it and links none of the modules.
@main
struct KeychainDevnet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keychain-devnet",
        abstract: "Run a local KeyChain network: a tracker and N mining nodes on 127.0.0.1.",
        discussion: """
        Data goes under --data-dir (a tracker/ and a nodeN/ directory each); a restart resumes the same network.
        Each node mines on one thread, capped at --hash-rate-limit hashes a second, so that a small machine keeps
        cores for validation and clients. Ctrl-C (or SIGTERM) stops every child cleanly.
        """
    )

    @Option(name: .long, help: "Mining nodes.")
    var nodes = 3

    @Option(name: .long, help: "Starting difficulty in bits for a new network (2^BITS expected hashes a block).")
    var difficulty = 20

    @Flag(name: .long, help: "A new network keeps --difficulty for every block instead of retargeting to one a second.")
    var fixedDifficulty = false

    @Option(name: .long, help: "A new network retargets by ASERT with this half-life, in block intervals (default 30).")
    var halfLife: UInt32?

    @Option(name: .long, help: "A new network's block interval in milliseconds, the retargeting's aim (the tracker's default: 1000).")
    var blockInterval: UInt32?

    @Option(name: .long, help: "A new network's largest block in bytes (the tracker's default: 3000000).")
    var maxBlockSize: Int?

    @Option(name: .long, help: "Where the tracker's and the nodes' data go.")
    var dataDir = "data/devnet"

    @Option(name: .long, help: "The tracker's port; node i listens on PORT+i, its metrics on PORT+100+i.")
    var basePort = 7070

    @Option(name: .long, help: "Each node's hash-rate cap (hashes a second); 0 for none.")
    var hashRateLimit: Double = 400_000

    @Option(name: .long, help: "The nodes' log level.")
    var logLevel = "info"

    func validate() throws {
        guard (1...64).contains(nodes) else { throw ValidationError("--nodes must be 1-64") }
        guard (1...120).contains(difficulty) else { throw ValidationError("--difficulty must be 1-120 bits") }
        guard (1...65_000 - 200).contains(basePort) else { throw ValidationError("--base-port must leave room for the nodes' ports") }
        guard hashRateLimit >= 0 else { throw ValidationError("--hash-rate-limit must not be negative") }
        guard !(fixedDifficulty && halfLife != nil) else { throw ValidationError("--fixed-difficulty and --half-life contradict each other") }
        // The tracker checks these too; said here, the mistake shows before any child starts.
        if let blockInterval, blockInterval == 0 { throw ValidationError("--block-interval must be positive") }
        if let maxBlockSize, !(1_024...3_999_936).contains(maxBlockSize) { throw ValidationError("--max-block-size must be 1024-3999936 bytes") }
    }

    func run() throws {
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let network = DevnetProcesses(binaries: binaries)
        for name in ["keychain-tracker", "keychain-node"] where !FileManager.default.isExecutableFile(atPath: binaries.appendingPathComponent(name).path) {
            throw ValidationError("\(name) is not beside keychain-devnet in \(binaries.path): build every product first (swift build -c release)")
        }
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let trackerAddress = "127.0.0.1:\(basePort)"
        var trackerArguments = [
            "--listen", trackerAddress, "--state-dir", "\(dataDir)/tracker", "--difficulty", String(difficulty), "--name", "devnet",
            "--log-level", logLevel,
        ]
        if fixedDifficulty { trackerArguments.append("--fixed-difficulty") }
        if let halfLife { trackerArguments += ["--half-life", String(halfLife)] }
        if let blockInterval { trackerArguments += ["--block-interval", String(blockInterval)] }
        if let maxBlockSize { trackerArguments += ["--max-block-size", String(maxBlockSize)] }
        try network.start(name: "tracker", executable: "keychain-tracker", arguments: trackerArguments)
        guard network.waitForHTTP(port: basePort, seconds: 30) else {
            network.stopAll()
            throw ExitCode(1)
        }
        var sockets: [String] = []
        for index in 1...nodes {
            let directory = "\(dataDir)/node\(index)"
            var arguments = [
                "--data-dir", directory, "--listen", "127.0.0.1:\(basePort + index)", "--tracker", trackerAddress,
                "--mine", "--mining-threads", "1", "--metrics", "127.0.0.1:\(basePort + 100 + index)", "--log-level", logLevel,
            ]
            if hashRateLimit > 0 { arguments += ["--hash-rate-limit", String(hashRateLimit)] }
            try network.start(name: "node\(index)", executable: "keychain-node", arguments: arguments)
            sockets.append("\(directory)/keychain.sock")
        }
        let connected = network.waitUntilConnected(sockets: sockets, peersEach: min(nodes - 1, 8), seconds: 60)
        say("""

        KeyChain devnet: tracker http://\(trackerAddress), \(nodes) node\(nodes == 1 ? "" : "s")\(connected ? ", all connected" : " (not all connected yet)")
        """)
        for (index, socket) in sockets.enumerated() {
            say("  node\(index + 1)  socket \(socket)  peers 127.0.0.1:\(basePort + index + 1)  metrics http://127.0.0.1:\(basePort + 101 + index)/metrics")
        }
        let cli = binaries.appendingPathComponent("keychain-cli").path
        say("""

        Try:
          \(cli) --socket \(sockets[0]) put greeting hello
          \(cli) --socket \(sockets[sockets.count - 1]) history greeting
          \(cli) --socket \(sockets[0]) peers

        Ctrl-C stops the network.

        """)
        network.runUntilSignalled()
    }
}

/// Writes a line to standard output at once (`print` is buffered when the output is a pipe,
/// and the summary must show as soon as the network is up).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
