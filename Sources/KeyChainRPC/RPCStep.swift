import KeyChainOwner

/// How one request is carried out, in its connection's order (docs/ARCHITECTURE.md §8: each
/// request sees the effects of every request before it on the same connection).
enum RPCStep {
    /// Nothing to carry out (a malformed line, an unknown method, bad params): the reply.
    case reply(String?)
    /// A read, answered on the event loop from the view published once every write before it
    /// on the connection has taken effect (at once when there is none).
    case read(@Sendable (ChainView) -> String?)
    /// A read whose answer takes long to build (a `keys` listing after the key set changed
    /// sorts every key): the view is taken at the same point as a `read`'s, the answer built on
    /// `RPCDispatcher.listingQueue`, off the event loop.
    case listing(@Sendable (ChainView) -> String?)
    /// A write whose params take work to check (signatures, thousands of txids): checked on
    /// the `VerificationService`'s `tip` threads, off the event loop and the cooperative pool,
    /// then handed over like `deliver`'s.
    case prepare(@Sendable () -> RPCDelivery)
    /// Work for the owner, handed over after the writes before it.
    case deliver(RPCDelivery)
}
