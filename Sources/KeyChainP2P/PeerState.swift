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
    var sentVersion = false
    var receivedVersion = false
    var receivedVerack = false
    var bestHeight: UInt32 = 0
    /// Blocks and transactions the peer has (sent or announced to us, or sent by us), so that
    /// nothing crosses this link twice in the same direction. Bounded, as Bitcoin Core bounds
    /// its per-peer inventory filter: the most recent 50,000 puts and 5,000 blocks at least.
    var knownBlocks = RecentSet<Hash256>(capacity: 5_000)
    var knownTransactions = RecentSet<Hash256>(capacity: 50_000)
    /// Txids to announce at the next batch.
    var pendingAnnouncements: [Hash256] = []
    /// Bodies asked of this peer, and when.
    var blocksInFlight: [Hash256: UInt64] = [:]
    var transactionsInFlight: [Hash256: UInt64] = [:]
    /// The stall timeout for this peer: 2 s, doubling on each stall up to 64 s.
    var stallTimeout: UInt64 = 2_000
    var lastAntiEntropy: UInt64 = 0
    /// When this side last sent `version` (resent while the handshake is incomplete).
    var lastVersionSent: UInt64 = 0

    init(id: PeerID, outbound: Bool, address: PeerAddress) {
        self.id = id
        self.outbound = outbound
        self.address = address
        listenAddress = outbound ? address : nil
    }

    var isReady: Bool { receivedVersion && receivedVerack }
}
