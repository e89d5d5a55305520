import KeyChainCore

/// A `subscribe` as the owner takes it.
struct SubscribeRequest: Sendable {
    let connection: UInt64
    let txids: [Hash256]
    let tips: Bool
    /// Where the connection's notifications go: its handler queues them on its event loop.
    let sink: @Sendable (ChainNotification) -> Void
}
