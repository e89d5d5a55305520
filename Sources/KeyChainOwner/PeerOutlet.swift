import KeyChainCore
import KeyChainChain
import KeyChainP2P

/// The transport as the owner sees it: where the protocol's actions go, where its own blocks
/// are offered, and each connection's traffic.
public struct PeerOutlet: Sendable {
    /// Sends, dials and disconnects.
    public var perform: @Sendable ([ProtocolAction]) -> Void
    /// The hash of this node's block, stored (so in the chain's `RecentBlocks`) and announced
    /// to `peers`, which the transport then answers their requests for itself
    /// (`PeerTransport.offer`).
    public var offer: @Sendable (Hash256, Set<PeerID>) -> Void
    /// A connection's bytes in and out.
    public var traffic: @Sendable (PeerID) -> (bytesIn: UInt64, bytesOut: UInt64)?

    /// An outlet calling these; each is called on the owner's queue and must only hand over.
    public init(perform: @escaping @Sendable ([ProtocolAction]) -> Void = { _ in },
                offer: @escaping @Sendable (Hash256, Set<PeerID>) -> Void = { _, _ in },
                traffic: @escaping @Sendable (PeerID) -> (bytesIn: UInt64, bytesOut: UInt64)? = { _ in nil }) {
        self.perform = perform
        self.offer = offer
        self.traffic = traffic
    }
}
