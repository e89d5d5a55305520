import KeyChainCore

/// A write ready to go: what to hand the owner, or the reply when its params were bad.
enum RPCDelivery: Sendable {
    case reply(String?)
    /// Called on the event loop in request order; it hands the request to the owner at once
    /// and reports through the handle.
    case owner(@Sendable (RPCReplyHandle) -> Void)
    /// Signatures to verify first, split over the service's `tip` threads (a batch's
    /// thousands); then what the write is.
    case afterVerifying([Transaction], then: @Sendable () -> RPCDelivery)
}
