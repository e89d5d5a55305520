import KeyChainCore
import KeyChainP2P
import KeyChainWire
import NIOCore

extension PeerAddress {
    /// The address of a connected socket (an IPv4 one as `::ffff:a.b.c.d`); nil for a Unix one.
    package init?(_ socket: SocketAddress) {
        guard let port = socket.port, (0...Int(UInt16.max)).contains(port) else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        switch socket {
        case let .v4(address):
            let host = UInt32(bigEndian: address.address.sin_addr.s_addr)
            bytes[10] = 0xFF
            bytes[11] = 0xFF
            for index in 0..<4 { bytes[12 + index] = UInt8(truncatingIfNeeded: host >> (24 - 8 * index)) }
        case let .v6(address):
            withUnsafeBytes(of: address.address.sin6_addr) { raw in
                for index in 0..<16 { bytes[index] = raw[index] }
            }
        case .unixDomainSocket:
            return nil
        }
        self.init(NetworkAddress(bytes: bytes, port: UInt16(port), lastSeen: 0))
    }

    /// `HOST:PORT` (`[v6]:PORT` for IPv6) with a numeric host; a name is resolved once, here.
    package init?(parsing text: String) {
        guard let (host, port) = HostAndPort.split(text), let socket = try? SocketAddress.makeAddressResolvingHost(host, port: port),
              let address = PeerAddress(socket) else { return nil }
        self = address
    }
}
