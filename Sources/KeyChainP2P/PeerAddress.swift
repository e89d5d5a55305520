import KeyChainWire

/// Where a peer listens (or, for an inbound connection, where it connected from): a 16-byte
/// host (IPv4 as `::ffff:a.b.c.d`) and a port. Two words, not a byte array: it keys the
/// address book and the ban list and is hashed on every connection.
public struct PeerAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The host's first and last 8 bytes, big-endian.
    public let hostHigh: UInt64
    public let hostLow: UInt64
    public let port: UInt16

    /// An IPv4 address.
    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) {
        hostHigh = 0
        hostLow = 0xFFFF_0000_0000 | UInt64(a) << 24 | UInt64(b) << 16 | UInt64(c) << 8 | UInt64(d)
        self.port = port
    }

    /// The address carried in an `addr` message.
    public init(_ address: NetworkAddress) {
        var high: UInt64 = 0, low: UInt64 = 0
        for byte in address.address.prefix(8) { high = high << 8 | UInt64(byte) }
        for byte in address.address.dropFirst(8).prefix(8) { low = low << 8 | UInt64(byte) }
        hostHigh = high
        hostLow = low
        port = address.port
    }

    init(hostHigh: UInt64, hostLow: UInt64, port: UInt16) {
        self.hostHigh = hostHigh
        self.hostLow = hostLow
        self.port = port
    }

    /// The same host on another port.
    public func with(port: UInt16) -> PeerAddress { PeerAddress(hostHigh: hostHigh, hostLow: hostLow, port: port) }

    /// The host alone (port 0): bans apply to a host, whatever port it comes from.
    public var host: PeerAddress { with(port: 0) }

    /// The address for an `addr` message.
    /// The host, as text ("a.b.c.d" for an IPv4 one).
    public var hostText: String { networkAddress(lastSeen: 0).host }

    public func networkAddress(lastSeen: UInt64) -> NetworkAddress {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: hostHigh >> (56 - 8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: hostLow >> (56 - 8 * index))
        }
        return NetworkAddress(bytes: bytes, port: port, lastSeen: lastSeen)
    }

    /// Whether a node could dial it: a port, and a host that is not all zeros.
    public var isRoutable: Bool { port != 0 && (hostHigh != 0 || hostLow != 0xFFFF_0000_0000 && hostLow != 0) }

    /// Whether the host is this machine's loopback (127.0.0.0/8 or ::1): every local process
    /// shares it, so a misbehaving local peer is disconnected but its host is not banned.
    public var isLoopback: Bool {
        if hostHigh == 0 && hostLow >> 32 == 0xFFFF { return (hostLow >> 24) & 0xFF == 127 }
        return hostHigh == 0 && hostLow == 1
    }

    public static func < (lhs: PeerAddress, rhs: PeerAddress) -> Bool {
        (lhs.hostHigh, lhs.hostLow, lhs.port) < (rhs.hostHigh, rhs.hostLow, rhs.port)
    }

    public var description: String {
        let text = networkAddress(lastSeen: 0).host
        return hostHigh == 0 && hostLow >> 32 == 0xFFFF ? "\(text):\(port)" : "[\(text)]:\(port)"
    }
}
