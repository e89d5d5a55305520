import Dispatch
import KeyChainP2P
import NIOCore
import Synchronization

/// One TCP connection to a peer: its channel, its traffic, counted where it happens (the event
/// loop) and read from anywhere (`peers`, metrics), its inbox: the serial queue on which what
/// it sent is opened (checksums, decoding), prepared (signatures verified) and handed to the
/// owner, in order, and its outbox, where what it is sent is framed.
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
    /// Bytes received and not yet handled by the owner; reading pauses above `maxInboxBytes`.
    let inboxBytes = Atomic<Int>(0)
    let inbox: DispatchQueue
    /// The most a peer may have waiting in its inbox before its socket stops being read.
    static let maxInboxBytes = 16 << 20
    /// Whether reading is paused for `inboxBytes` (set by the handler, cleared by the transport).
    let readingPaused = Atomic<Bool>(false)
    /// Messages this peer sent that expect a reply (`Message.expectsReply`) and that the
    /// owner has not handled yet.
    let requestsAtOwner = Atomic<Int>(0)
    /// Set once a frame failed to open on the inbox: nothing after it is handed on.
    let sentMalformedFrame = Atomic<Bool>(false)
    /// The serial queue on which the messages sent to this peer are framed (a full block took
    /// 15-50 ms) and written, in the order the owner decided them, off the event loop.
    let outbox: DispatchQueue

    init(id: PeerID, channel: Channel, outbound: Bool, address: PeerAddress) {
        self.id = id
        self.channel = channel
        self.outbound = outbound
        self.address = address
        inbox = DispatchQueue(label: "keychain.peer.inbox")
        outbox = DispatchQueue(label: "keychain.peer.outbox")
    }
}
