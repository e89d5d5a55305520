import KeyChainChain
import KeyChainCore
import KeyChainP2P

/// Everything the chain's owner is told, each handled in one synchronous turn
/// (`ChainOwner.handle`) that never suspends. Answers go back through the `OwnerReply` the
/// message carries. `Node` posts them to the owner's lanes (docs/ARCHITECTURE.md §5).
enum OwnerMessage: Sendable {
    /// Start the miner's templates and the protocol's tick; `banner` is logged with the height.
    case start(banner: [String: String])
    /// Fail every waiting client, drop subscriptions, close the chain; the last turn.
    case stop(OwnerReply<Void>)
    /// The earliest timer is due (the wakeup's firing).
    case timersDue
    /// Where the protocol's actions go from now on.
    case connect(PeerOutlet)
    /// A block this node's miner sealed.
    case mined(Block)
    /// What one read of one peer's socket brought (or events of no peer, such as a failed
    /// dial), handled in one turn; `handled` says so to the transport, which counts the
    /// batch's bytes against the peer until then.
    case peerEvents([ProtocolEvent], handled: OwnerReply<Void>)
    /// A client's put, its signature already verified.
    case submit(Transaction, OwnerReply<Result<TransactionStatus, NodeRequestError>>)
    /// A client's `submit_batch`, admitted in order, each on its own, published once.
    case submitBatch([Transaction], OwnerReply<[Result<TransactionStatus, NodeRequestError>]>)
    /// A client's `wait` or `wait_all`; `registered` once it is in place.
    case wait(WaitRequest, registered: OwnerReply<Void>, OwnerReply<Result<[TransactionStatus], NodeRequestError>>)
    /// A connection subscribes to txids and/or tips; the refusal if a bound forbids it.
    case subscribe(SubscribeRequest, OwnerReply<NodeRequestError?>)
    /// A connection closed: its subscription and waits go.
    case unsubscribe(connection: UInt64)
    /// A stored block by hash, by height, or the tip (the owner alone reads the store).
    case block(hash: Hash256?, height: UInt32?, OwnerReply<Result<BlockReport, NodeRequestError>>)
    /// The connections and bans.
    case peers(OwnerReply<PeerReport>)
    /// The addresses known, most recently seen first, for the peers file.
    case knownAddresses(limit: Int, OwnerReply<[PeerAddress]>)
}
