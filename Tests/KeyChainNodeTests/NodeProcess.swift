import Foundation
import KeyChainClient
import KeyChainTestSupport

/// Where `swift build` put the executables: beside the test bundle.
enum Binaries {
    static let directory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.pathComponents.count > 1 && !FileManager.default.fileExists(atPath: url.appendingPathComponent("keychain-node").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()
    static var node: String { directory.appendingPathComponent("keychain-node").path }
    static var cli: String { directory.appendingPathComponent("keychain-cli").path }
}

/// Points `process` at `executable`, through util-linux's `setpriv --pdeathsig KILL` where the
/// machine has it: a test runner killed mid-run (a CI timeout) then takes its nodes with it,
/// and no test leaves a process behind. `setpriv` execs the executable, so the PID is its.
func launch(_ process: Process, _ executable: String, _ arguments: [String]) {
    let setpriv = "/usr/bin/setpriv"
    if FileManager.default.isExecutableFile(atPath: setpriv) {
        process.executableURL = URL(fileURLWithPath: setpriv)
        process.arguments = ["--pdeathsig", "KILL", "--", executable] + arguments
    } else {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    }
}

/// Starts `command` (through `launch`) with its output appended to the file at `log`.
func start(_ process: Process, _ command: [String], log path: String) throws {
    if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    launch(process, command[0], Array(command.dropFirst()))
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    log.seekToEndOfFile()
    process.standardOutput = log
    process.standardError = log
    try Spawner.shared.run(process)
}

/// Starts child processes from one thread that lives as long as the test process. The
/// kernel sends `setpriv --pdeathsig`'s signal when the *thread* that forked the child exits,
/// not its process, and the concurrency pool's threads exit after a few idle seconds: a node
/// started from one of them was killed mid-test.
final class Spawner: @unchecked Sendable {
    static let shared = Spawner()
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while jobs.isEmpty { condition.wait() }
                let job = jobs.removeFirst()
                condition.unlock()
                job()
            }
        }
        thread.name = "process spawner"
        thread.start()
    }

    /// Runs `process.run()` on the spawner thread and returns its outcome.
    func run(_ process: Process) throws {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: Error?
        condition.lock()
        jobs.append {
            do { try process.run() } catch { failure = error }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        if let failure { throw failure }
    }
}

/// Errors from the process helpers, with what a person needs to debug a failed test.
struct ProcessFailure: Error, CustomStringConvertible {
    let description: String
}

/// Waits until `condition` holds, polling, or throws after `seconds`. A `ProcessFailure`
/// thrown by the condition (a process that died) ends the wait at once; other errors (a
/// socket not yet listening) count as "not yet".
func eventually(_ what: String, seconds: Double = 90, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        do {
            if try await condition() { return }
        } catch let failure as ProcessFailure {
            throw failure
        } catch {}
        try await Task.sleep(for: .milliseconds(20))
    }
    throw ProcessFailure(description: "timed out after \(seconds) s waiting for \(what)")
}

/// A `keychain-node` child process, stopped (by its PID) when the value is released.
final class NodeProcess: @unchecked Sendable {
    let dataDirectory: String
    let socketPath: String
    let logPath: String
    private let process = Process()

    /// Starts `keychain-node --dev` on `dataDirectory` and waits until its socket answers.
    /// `wrapper` runs the node through another command (`ip netns exec HOST`).
    init(dataDirectory: String, arguments: [String] = ["--dev"], waitUntilReady: Bool = true, wrapper: [String] = []) async throws {
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

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends a signal and waits (bounded) for the process to exit; returns its status. After
    /// SIGTERM or SIGINT a node must exit cleanly (status 0): anything else throws, with its log.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, seconds: Double = 90) async throws -> Int32 {
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
    func exitStatus(seconds: Double = 90) async throws -> Int32 {
        try await eventually("node \(pid) to exit", seconds: seconds) { !process.isRunning }
        return process.terminationStatus
    }

    func client() async throws -> KeyChainClient { try await KeyChainClient.connect(socketPath: socketPath) }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Runs `keychain-cli` to completion (bounded) and returns its exit code and output.
func runCLI(_ arguments: [String], socket: String, identity: String, seconds: Double = 120) async throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    launch(process, Binaries.cli, arguments)
    var environment = ProcessInfo.processInfo.environment
    environment["KEYCHAIN_SOCKET"] = socket
    environment["KEYCHAIN_IDENTITY"] = identity
    process.environment = environment
    let directory = try TemporaryDirectory(prefix: "keychain-cli-output")
    let outPath = directory.file("out"), errPath = directory.file("err")
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    try Spawner.shared.run(process)
    do {
        try await eventually("keychain-cli \(arguments.joined(separator: " "))", seconds: seconds) { !process.isRunning }
    } catch {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw error
    }
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return (process.terminationStatus, out.trimmingCharacters(in: .whitespacesAndNewlines), err)
}

/// A raw connection to the socket for sending arbitrary bytes, as a misbehaving client would.
final class RawConnection {
    private let descriptor: Int32
    private var pending: [UInt8] = []

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw ProcessFailure(description: "connect to \(path) failed: errno \(errno)") }
    }

    deinit { close(descriptor) }

    /// Makes a write that cannot proceed for `seconds` fail instead of blocking (a server that
    /// stopped reading).
    func sendTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw ProcessFailure(description: "write failed: errno \(errno)") }
            sent += count
        }
    }

    func send(_ line: String) throws { try send(Array((line + "\n").utf8)) }

    /// Reads until the node closes the connection or a read waits 30 s: the bytes read, and
    /// whether it was closed.
    func readUntilClosed() -> (bytes: Int, closed: Bool) {
        var total = pending.count
        pending = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return (total, true) }
            if count < 0 { return (total, errno == ECONNRESET) }
            total += count
        }
    }

    /// The next reply line as a JSON object.
    func readReply() throws -> [String: Any] {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeFirst(newline + 1)
                guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw ProcessFailure(description: "reply is not an object: \(String(decoding: line, as: UTF8.self))")
                }
                return object
            }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw ProcessFailure(description: "connection closed or timed out (errno \(errno))") }
            pending += buffer[..<count]
        }
    }
}
