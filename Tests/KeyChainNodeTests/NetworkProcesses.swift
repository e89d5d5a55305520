import Foundation
import KeyChainAPI
import KeyChainClient
import KeyChainTestSupport
import Synchronization

extension Binaries {
    static var tracker: String { directory.appendingPathComponent("keychain-tracker").path }
    static var devnet: String { directory.appendingPathComponent("keychain-devnet").path }
}

/// A port on 127.0.0.1 free at the time of asking (bound, read, released), below the kernel's
/// ephemeral range (32768-60999 on Linux): a port from that range, once released, can be taken
/// by any outgoing connection before the node binds it, and a test node once failed to start
/// on "Address already in use" so. Ports are handed out in turn, so two tests of this process
/// never get the same one.
func freePort() throws -> Int { try freePorts(1) }

/// The first of `count` consecutive free ports, for a process that takes a range of them
/// (`keychain-devnet --base-port`).
func freePorts(_ count: Int) throws -> Int {
    for _ in 0..<(PortCursor.span / count) {
        let first = PortCursor.take(count)
        if (first..<first + count).allSatisfy(canBind) { return first }
    }
    throw ProcessFailure(description: "cannot find \(count) free ports in \(PortCursor.first)..<\(PortCursor.first + PortCursor.span)")
}

/// The next ports to try: a process-wide cursor over 20000-31999, starting where the process
/// id points, so that test processes run side by side start apart.
enum PortCursor {
    static let first = 20_000
    static let span = 12_000
    private static let cursor = Mutex(Int(getpid()) % 60 * 200)

    /// The first of `count` ports no earlier call was given.
    static func take(_ count: Int) -> Int {
        cursor.withLock { value in
            if value + count > span { value = 0 }
            defer { value += count }
            return first + value
        }
    }
}

/// Whether a listener could bind 127.0.0.1:`port` now.
private func canBind(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A TCP connection that could not be opened.
struct ConnectionRefused: Error {
    let port: Int
    let reason: String
}

/// A blocking TCP connection to 127.0.0.1, for sending what a misbehaving peer or HTTP client
/// would; every read is bounded by a timeout.
final class TCPConnection {
    private let descriptor: Int32
    private let timeoutSeconds: Int

    init(port: Int, timeoutSeconds: Int = 20) throws {
        self.timeoutSeconds = timeoutSeconds
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            // Not a `ProcessFailure`: `eventually` retries it (a server not listening yet).
            throw ConnectionRefused(port: port, reason: String(cString: strerror(errno)))
        }
    }

    deinit { close(descriptor) }

    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } }

    /// Sends without SIGPIPE; false once the peer has closed the connection.
    func trySend(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }
    func send(_ text: String) { send(Array(text.utf8)) }

    /// Ends the sending side (the peer reads end of file) and keeps reading.
    func shutdownWriting() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Everything read until the peer closes (true) or the connection's timeout passes (false).
    /// Waits without holding a thread: the cooperative pool has one a core, and a read blocked
    /// for the timeout stalled every other test in the process meanwhile.
    func readUntilClosed() async -> (bytes: [UInt8], closed: Bool) {
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(descriptor, F_SETFL, flags) }
        let deadline = Date().addingTimeInterval(Double(timeoutSeconds))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received.count < 16 << 20 {
            let count = read(descriptor, &buffer, buffer.count)
            if count == 0 { return (received, true) }
            if count < 0 {
                guard errno == EAGAIN || errno == EWOULDBLOCK else { return (received, errno == ECONNRESET) }
                guard Date() < deadline else { return (received, false) }
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            received += buffer[0..<count]
        }
        return (received, false)
    }

    /// An HTTP exchange: the response's status code and body (the request should ask to close).
    func http(_ request: String) async -> (status: Int, body: String) {
        send(request)
        let text = String(decoding: await readUntilClosed().bytes, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }
}

/// Runs a system tool (`ip`, `mount`) to completion; its output, or a failure carrying it.
@discardableResult
func runTool(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    process.waitUntilExit()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw ProcessFailure(description: "\(executable) \(arguments.joined(separator: " ")) failed: \(output)")
    }
    return output
}

/// `GET path` on the tracker at `port`.
func httpGet(_ port: Int, _ path: String) async throws -> (status: Int, body: String) {
    try await TCPConnection(port: port).http("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
}

/// A `keychain-tracker` child process on 127.0.0.1, stopped by its PID when released.
final class TrackerProcess: @unchecked Sendable {
    let port: Int
    let stateDirectory: String
    let logPath: String
    private let process = Process()

    /// Starts a tracker on `host` and waits until `/health` answers (or, run through a
    /// `wrapper` such as `ip netns exec HOST`, until it logs that it listens).
    init(stateDirectory: String, host: String = "127.0.0.1", port: Int? = nil, arguments: [String] = ["--difficulty", "12"],
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

    let host: String
    var address: String { "\(host):\(port)" }
    var isRunning: Bool { process.isRunning }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits (bounded) for a clean exit.
    func stop() async throws {
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

/// A mining node of a test network: low difficulty, a capped hash rate (a few blocks a second
/// for the whole network, so that several fit on two cores), its own ports.
struct NetworkNodeOptions {
    var peerPort: Int
    var trackers: [String] = []
    var peers: [String] = []
    var listen = true
    var mine = true
    var hashRate = 4_000
    var extra: [String] = []

    init(trackers: [String] = [], peers: [String] = [], listen: Bool = true, mine: Bool = true, extra: [String] = []) throws {
        peerPort = try freePort()
        self.trackers = trackers
        self.peers = peers
        self.listen = listen
        self.mine = mine
        self.extra = extra
    }

    var peerAddress: String { "127.0.0.1:\(peerPort)" }

    var arguments: [String] {
        var arguments: [String] = listen ? ["--listen", peerAddress] : []
        for tracker in trackers { arguments += ["--tracker", tracker] }
        for peer in peers { arguments += ["--peer", peer] }
        arguments += mine ? ["--mine", "--mining-threads", "1", "--hash-rate-limit", String(hashRate)] : ["--no-mine"]
        return arguments + extra
    }
}

extension NodeProcess {
    /// A node of a test network.
    convenience init(dataDirectory: String, network options: NetworkNodeOptions) async throws {
        try await self.init(dataDirectory: dataDirectory, arguments: options.arguments)
    }

    /// The node's status, through a fresh connection.
    func status() async throws -> StatusResult {
        let client = try await client()
        defer { Task { await client.close() } }
        return try await client.status()
    }

    /// The versions of `key`, oldest first (empty while the node has none).
    func history(_ key: String) async throws -> [VersionResult] {
        let client = try await client()
        defer { Task { await client.close() } }
        return try await client.retrieveAll(key)
    }
}

/// Waits until every node has at least `peers` ready peers.
func waitUntilConnected(_ nodes: [NodeProcess], peers: Int, seconds: Double = 90) async throws {
    try await eventually("\(nodes.count) nodes with \(peers) peers each", seconds: seconds) {
        for node in nodes where try await node.status().peers < peers { return false }
        return true
    }
}

/// Waits until every node has `key` with exactly the txids `txids`, in order.
func waitUntilEveryNode(_ nodes: [NodeProcess], has key: String, txids: [String], seconds: Double = 90) async throws {
    try await eventually("\(key) with \(txids.count) versions on \(nodes.count) nodes", seconds: seconds) {
        for node in nodes where try await node.history(key).map(\.txid) != txids { return false }
        return true
    }
}
