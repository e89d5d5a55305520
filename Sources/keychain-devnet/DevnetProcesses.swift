import Dispatch
import Foundation

/// The devnet's children: started with their output prefixed by name, watched (a child that
/// dies is reported), and stopped by their PIDs with SIGTERM, then SIGKILL after a grace period.
final class DevnetProcesses: @unchecked Sendable {
    private let binaries: URL
    private let lock = NSLock()
    private var children: [(name: String, process: Process)] = []
    private var stopping = false
    private let output = FileHandle.standardOutput

    init(binaries: URL) { self.binaries = binaries }

    /// Starts `executable` (beside this one) as `name`. Through util-linux's `setpriv
    /// --pdeathsig` where the machine has it, so children die with the devnet even on SIGKILL.
    func start(name: String, executable: String, arguments: [String]) throws {
        let process = Process()
        let path = binaries.appendingPathComponent(executable).path
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--pdeathsig", "TERM", "--", path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let prefixer = LinePrefixer(prefix: "[\(name)] ")
        pipe.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            if let lines = prefixer.take(data) { output.write(lines) }
        }
        process.terminationHandler = { [weak self] process in
            guard let self else { return }
            lock.lock()
            let expected = stopping
            lock.unlock()
            if !expected {
                let how = process.terminationReason == .exit ? "exited with status" : "was killed by signal"
                FileHandle.standardError.write(Data("keychain-devnet: \(name) \(how) \(process.terminationStatus)\n".utf8))
            }
        }
        try process.run()
        lock.lock()
        children.append((name, process))
        lock.unlock()
    }

    /// Waits until `GET /health` on 127.0.0.1:`port` answers 200, or a child dies.
    func waitForHTTP(port: Int, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !allRunning() { return false }
            if let reply = Self.exchange(tcpPort: port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
               reply.hasPrefix("HTTP/1.1 200") { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        FileHandle.standardError.write(Data("keychain-devnet: the tracker did not answer on port \(port) within \(Int(seconds)) s\n".utf8))
        return false
    }

    /// Waits until every node's `status` shows at least `peersEach` peers; false on timeout.
    func waitUntilConnected(sockets: [String], peersEach: Int, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let ready = sockets.allSatisfy { socket in
                guard let line = Self.exchange(unixSocket: socket, #"{"jsonrpc":"2.0","id":1,"method":"status"}"# + "\n"),
                      let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let result = object["result"] as? [String: Any], let peers = result["peers"] as? Int else { return false }
                return peers >= peersEach
            }
            if ready { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    /// Blocks until SIGINT or SIGTERM, then stops every child and returns.
    func runUntilSignalled() {
        let done = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        done.wait()
        say("\nkeychain-devnet: stopping")
        stopAll()
        withExtendedLifetime(sources) {}
    }

    /// Stops the nodes, then the tracker (so that their last announcements reach it): SIGTERM
    /// by PID, and SIGKILL to any child still running 30 s later.
    func stopAll() {
        lock.lock()
        stopping = true
        let all = children
        lock.unlock()
        stop(all.filter { $0.name != "tracker" })
        stop(all.filter { $0.name == "tracker" })
    }

    private func stop(_ group: [(name: String, process: Process)]) {
        let running = group.filter { $0.process.isRunning }
        for child in running { kill(child.process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && running.contains(where: { $0.process.isRunning }) { Thread.sleep(forTimeInterval: 0.05) }
        for child in running where child.process.isRunning {
            FileHandle.standardError.write(Data("keychain-devnet: \(child.name) did not stop within 30 s; killing it\n".utf8))
            kill(child.process.processIdentifier, SIGKILL)
        }
        for child in running {
            child.process.waitUntilExit()
            if child.process.terminationReason != .exit || child.process.terminationStatus != 0 {
                FileHandle.standardError.write(Data("keychain-devnet: \(child.name) ended with status \(child.process.terminationStatus)\n".utf8))
            }
        }
    }

    private func allRunning() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return children.allSatisfy { $0.process.isRunning }
    }

    // MARK: - Tiny blocking clients (the devnet links none of KeyChain's modules)

    /// Sends `request` to 127.0.0.1:`tcpPort` and returns what comes back before the close.
    static func exchange(tcpPort: Int, _ request: String) -> String? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(tcpPort).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return exchange(family: AF_INET, request, untilClose: true) { descriptor in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }

    /// Sends one JSON-RPC line to the Unix socket at `path` and returns the first line back.
    static func exchange(unixSocket path: String, _ request: String) -> String? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (index, byte) in bytes.enumerated() { raw[index] = byte } }
        return exchange(family: AF_UNIX, request, untilClose: false) { descriptor in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
    }

    private static func exchange(family: Int32, _ request: String, untilClose: Bool, connecting: (Int32) -> Int32) -> String? {
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connecting(descriptor) == 0 else { return nil }
        let bytes = Array(request.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else { return nil }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while reply.count < 1 << 20 {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            reply += buffer[0..<count]
            if !untilClose, reply.contains(0x0A) { break }
        }
        return reply.isEmpty ? nil : String(decoding: reply, as: UTF8.self)
    }
}

/// Prefixes every complete line of a child's output with its name. A pipe's readability
/// handler runs serially, so the pending partial line needs no lock.
final class LinePrefixer: @unchecked Sendable {
    private let prefix: [UInt8]
    private var partial: [UInt8] = []

    init(prefix: String) { self.prefix = Array(prefix.utf8) }

    /// The complete lines in what has arrived, prefixed; the rest waits for its newline.
    func take(_ data: Data) -> Data? {
        partial += data
        guard let last = partial.lastIndex(of: 0x0A) else { return nil }
        var lines: [UInt8] = []
        for line in partial[...last].split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            lines += prefix + line + [0x0A]
        }
        partial.removeFirst(last + 1)
        return Data(lines)
    }
}
