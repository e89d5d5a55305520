import DequeModule
import KeyChainCore

/// What a node knows about one peer. A class: the protocol reads it on every message, and
/// copying a struct of six collections out of the dictionary each time dominated its cost.
final class PeerState {
    let id: PeerID
    let outbound: Bool
    /// The address dialled, or for an inbound peer the one it came from.
    let address: PeerAddress
    /// Where the peer accepts connections (from its `version`), if it does.
    var listenAddress: PeerAddress?
    /// Whether its `getaddr` was answered: once per connection, so a peer cannot page through
    /// the whole address book.
    var answeredGetAddr = false
    /// Addresses this peer may still send (a token bucket), as of `addressTokensAt`.
    var addressTokens = 1_000.0
    var addressTokensAt: UInt64 = 0
    var sentVersion = false
    var receivedVersion = false
    var receivedVerack = false
    var bestHeight: UInt32 = 0
    /// Its slot in the node's `KnownInventory` (which transactions each peer has).
    let slot: Int
    /// Blocks the peer has (sent or announced to us, or sent by us), so that none crosses
    /// this link twice in the same direction; bounded, the most recent 5,000 at least.
    var knownBlocks = RecentSet<Hash256>(capacity: 5_000)
    /// Txids to announce at the next batch.
    var pendingAnnouncements: [Hash256] = []
    /// Bodies asked of this peer, and when.
    var blocksInFlight: [Hash256: UInt64] = [:]
    var transactionsInFlight: [Hash256: UInt64] = [:]
    /// Blocks it asked for beyond the slice served at once, served a slice each tick.
    var queuedBlockRequests = Deque<Hash256>()
    /// Bytes the transport last reported waiting to be sent to this peer (`.backlog`): its
    /// queued block requests wait while this is over `Configuration.maxBacklogToServe`.
    var sendBacklog = 0
    /// Txids it announced beyond the in-flight cap, to ask for as requests are answered.
    var announcedTransactions = Deque<Hash256>()
    /// Whether the transport has stopped reading it (this node is behind on its messages).
    var readingPaused = false
    /// The stall timeout for this peer: `initialStallTimeout` at first, doubling on each stall up
    /// to `maxStallTimeout`, and shrinking by 0.85 with each block it delivers.
    var stallTimeout: UInt64
    /// When this node last asked the peer for headers and re-offered its waiting puts
    /// (without reconciliation, every `antiEntropyInterval`).
    var lastAntiEntropy: UInt64 = 0
    /// When this node last answered the peer's reconciliation.
    var lastReconciliationAnswered: UInt64?
    /// When this side last sent `version` (resent while the handshake is incomplete).
    var lastVersionSent: UInt64 = 0
    /// When the connection opened: the handshake must finish within its timeout.
    let connectedAt: UInt64
    /// When the last message arrived from this peer.
    var lastReceived: UInt64
    /// The ping awaiting its pong, and when it was sent.
    var pingNonce: UInt64?
    var pingSentAt: UInt64 = 0
    /// The last measured round trip, in milliseconds.
    var pingMilliseconds: UInt64?
    /// Whether the peer takes compact blocks (it sent `sendcmpct` version 1), and whether it
    /// asked for them pushed as soon as this node has a new tip (high bandwidth).
    var takesCompactBlocks = false
    var wantsCompactBlocksPushed = false
    /// The compact block from this peer being rebuilt, waiting for its `blocktxn`.
    var assembling: CompactBlockAssembly?

    init(id: PeerID, slot: Int, outbound: Bool, address: PeerAddress, now: UInt64, stallTimeout: UInt64) {
        self.id = id
        self.stallTimeout = stallTimeout
        connectedAt = now
        lastReceived = now
        self.slot = slot
        self.outbound = outbound
        self.address = address
        listenAddress = outbound ? address : nil
    }

    var isReady: Bool { receivedVersion && receivedVerack }
}
