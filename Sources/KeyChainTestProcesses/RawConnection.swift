import Foundation

/// A raw connection to the socket for sending arbitrary bytes, as a misbehaving client would.
public final class RawConnection {
    private let descriptor: Int32
    private var pending: [UInt8] = []

    /// Connects to the Unix socket at `path` (reads time out after 30 s).
    public init(path: String) throws {
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
    public func sendTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes every byte, blocking until written.
    public func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw ProcessFailure(description: "write failed: errno \(errno)") }
            sent += count
        }
    }

    /// Writes `line` and a newline.
    public func send(_ line: String) throws { try send(Array((line + "\n").utf8)) }

    /// Reads until the node closes the connection or a read waits 30 s: the bytes read, and
    /// whether it was closed.
    public func readUntilClosed() -> (bytes: Int, closed: Bool) {
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
    public func readReply() throws -> [String: Any] {
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
