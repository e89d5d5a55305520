import Foundation
import Synchronization

/// A port on 127.0.0.1 free at the time of asking (bound, read, released), below the kernel's
/// ephemeral range (32768-60999 on Linux): a port from that range, once released, can be taken
/// by any outgoing connection before the node binds it, and a test node once failed to start
/// on "Address already in use" so. Ports are handed out in turn, so two tests of this process
/// never get the same one.
public func freePort() throws -> Int { try freePorts(1) }

/// The first of `count` consecutive free ports, for a process that takes a range of them
/// (`keychain-devnet --base-port`).
public func freePorts(_ count: Int) throws -> Int {
    for _ in 0..<(PortCursor.span / count) {
        let first = PortCursor.take(count)
        if (first..<first + count).allSatisfy(canBind) { return first }
    }
    throw ProcessFailure(description: "cannot find \(count) free ports in \(PortCursor.first)..<\(PortCursor.first + PortCursor.span)")
}

/// The next ports to try: a process-wide cursor over 20000-31999, starting where the process
/// id points, so that test processes run side by side start apart.
public enum PortCursor {
    /// The lowest port handed out.
    public static let first = 20_000
    /// How many ports are handed out in turn.
    public static let span = 12_000
    private static let cursor = Mutex(Int(getpid()) % 60 * 200)

    /// The first of `count` ports no earlier call was given.
    public static func take(_ count: Int) -> Int {
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
