import KeyChainP2P
import NIOCore
import Synchronization

/// One TCP connection to a peer: its channel and its traffic, counted where it happens (the
/// event loop) and read from anywhere (`peers`, metrics).
final class PeerLink: Sendable {
    let id: PeerID
    let channel: Channel
    let outbound: Bool
    /// The address dialled, or the one an inbound connection came from.
    let address: PeerAddress
    let bytesIn = Atomic<UInt64>(0)
    let bytesOut = Atomic<UInt64>(0)
    /// Bytes handed to the channel and not yet written to the socket.
    let pending = Atomic<Int>(0)

    init(id: PeerID, channel: Channel, outbound: Bool, address: PeerAddress) {
        self.id = id
        self.channel = channel
        self.outbound = outbound
        self.address = address
    }
}
