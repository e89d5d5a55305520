import KeyChainCore

/// One connection's notifications: the txids it follows (with the last state sent) and whether
/// it wants new tips.
struct Subscription {
    let sink: @Sendable (ChainNotification) -> Void
    var tips = false
    var txids: [Hash256: TransactionStatus.State?] = [:]

    init(sink: @escaping @Sendable (ChainNotification) -> Void) { self.sink = sink }
}
