import KeyChainCore
import KeyChainChain
import KeyChainP2P

/// The transport as the owner sees it: where the protocol's actions go, where its own blocks
/// are offered, and each connection's traffic.
struct PeerOutlet: Sendable {
    /// Sends, dials and disconnects.
    var perform: @Sendable ([ProtocolAction]) -> Void = { _ in }
    /// This node's block, stored and announced to `peers`, which the transport then answers
    /// their requests for itself (`PeerTransport.offer`).
    var offer: @Sendable (Block, Set<PeerID>) -> Void = { _, _ in }
    /// A connection's bytes in and out.
    var traffic: @Sendable (PeerID) -> (bytesIn: UInt64, bytesOut: UInt64)? = { _ in nil }
}
