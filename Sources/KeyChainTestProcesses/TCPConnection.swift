import Foundation

/// A blocking TCP connection to 127.0.0.1, for sending what a misbehaving peer or HTTP client
/// would; every read is bounded by a timeout.
public final class TCPConnection {
    private let descriptor: Int32
    private let timeoutSeconds: Int

    /// Connects to 127.0.0.1:`port`; reads time out after `timeoutSeconds`.
    public init(port: Int, timeoutSeconds: Int = 20) throws {
        self.timeoutSeconds = timeoutSeconds
        // A local until it connects: a class whose initializer throws once every property is
        // set runs its deinit, which closed the descriptor a second time; by then the number
        // could belong to another test's socket, and SwiftNIO stops the process on EBADF.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
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
            let reason = String(cString: strerror(errno))
            close(descriptor)
            // Not a `ProcessFailure`: `eventually` retries it (a server not listening yet).
            throw ConnectionRefused(port: port, reason: reason)
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Writes the bytes (as much as the socket takes).
    public func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } }

    /// Sends without SIGPIPE; false once the peer has closed the connection.
    public func trySend(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }
    /// Writes `text` as UTF-8.
    public func send(_ text: String) { send(Array(text.utf8)) }

    /// Ends the sending side (the peer reads end of file) and keeps reading.
    public func shutdownWriting() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Everything read until the peer closes (true) or the connection's timeout passes (false).
    /// Waits without holding a thread: the cooperative pool has one a core, and a read blocked
    /// for the timeout stalled every other test in the process meanwhile.
    public func readUntilClosed() async -> (bytes: [UInt8], closed: Bool) {
        await received(until: 16 << 20)
    }

    /// As `readUntilClosed()`, giving up after `seconds` (at most the connection's timeout).
    public func readUntilClosed(seconds: Double) async -> (bytes: [UInt8], closed: Bool) {
        await received(until: 16 << 20, seconds: seconds)
    }

    /// What is read until at least `count` bytes came, the peer closes, or the connection's
    /// timeout passes.
    public func receive(atLeast count: Int) async -> [UInt8] {
        await received(until: count).bytes
    }

    private func received(until limit: Int, seconds: Double? = nil) async -> (bytes: [UInt8], closed: Bool) {
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(descriptor, F_SETFL, flags) }
        let deadline = Date().addingTimeInterval(min(seconds ?? .infinity, Double(timeoutSeconds)))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received.count < limit {
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
    public func http(_ request: String) async -> (status: Int, body: String) {
        send(request)
        let text = String(decoding: await readUntilClosed().bytes, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }
}
