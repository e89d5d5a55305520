import KeyChainWire
extension PeerProtocol {
    /// The protocol's numbers (docs/ARCHITECTURE.md §6).
    public struct Configuration: Sendable {
        public var maxBlocksInFlightPerPeer = 16
        public var downloadWindow: UInt32 = 1_024
        public var transactionBatchInterval: UInt64 = 100
        /// While the tip has not moved for this long, one ready peer (outbound first, in
        /// turn) is asked for headers, once each such interval: a node that missed the last
        /// announcements catches up, and one that hears of new blocks sends nothing.
        public var antiEntropyInterval: UInt64 = 5_000
        /// Whether puts are announced to outbound peers only and reconciled with one peer
        /// every `reconciliationInterval`, and headers asked for only while the tip stalls.
        /// Off, the relay before reconciliation: puts announced to every peer, and every
        /// `antiEntropyInterval` each peer asked for headers and offered the oldest
        /// `mempoolReannouncement` waiting puts.
        public var reconciliation = true
        /// How often a node reconciles its waiting puts with one peer (BIP330's 2 s).
        public var reconciliationInterval: UInt64 = 2_000
        /// Waiting puts re-offered to each peer each `antiEntropyInterval` without reconciliation.
        public var mempoolReannouncement = 1_000
        public var initialStallTimeout: UInt64 = 2_000
        public var maxStallTimeout: UInt64 = 64_000
        /// How long a handshake may hang before `version` is sent again.
        public var handshakeRetry: UInt64 = 3_000
        /// A connection whose handshake is not complete by then is closed: silent sockets
        /// must not hold inbound slots.
        public var handshakeTimeout: UInt64 = 60_000
        /// A ready link silent this long is pinged...
        public var pingInterval: UInt64 = 30_000
        /// ...and closed if the pong has not come this long after.
        public var pingTimeout: UInt64 = 30_000
        /// Bytes the transport may hold unsent for one peer; past this the peer, which is not
        /// reading, is disconnected (two full frames: a block always fits).
        public var maxSendBacklog = 8 << 20
        /// Blocks served to one peer per turn: a `getdata` naming more is served a slice per
        /// tick, so one request for 50,000 stored blocks cannot hold the owner for one long turn
        /// (each read, inflated and framed) nor fill the send backlog past its bound at once.
        /// A syncing node asks for 16 at a time, so its requests are answered whole.
        public var blocksServedPerTurn = 16
        /// The next slice of a peer's queued block requests waits while more than this is unsent
        /// to it (`ProtocolEvent.backlog`): a peer that reads slowly is served as fast as it
        /// reads, and its backlog stays under `maxSendBacklog` whatever it asked for. (The
        /// transport reports a backlog above one frame's worth, and when it falls back.)
        public var maxBacklogToServe = Frame.maxPayloadLength
        /// Block requests of one peer queued behind the slice; past this they are answered
        /// `notfound`.
        public var maxQueuedBlockRequests = 50_000
        /// Outbound connections kept open.
        public var outboundPeers = 8
        /// Inbound connections accepted; more are closed at once.
        public var maxInbound = 117
        /// Inbound connections accepted from one host (loopback included: a machine's local
        /// nodes share it), so that one host cannot take every inbound slot.
        public var maxInboundPerHost = 16
        /// A dial the transport has not answered by then counts as failed.
        public var dialTimeout: UInt64 = 10_000
        /// Address book size, dial backoff (1 s doubling to 64 s) and ban duration (24 h).
        public var addresses = AddressBook.Policy()
        /// An `addr` of at most this many entries is an announcement: its new addresses are
        /// passed on to `addressRelayFanout` peers. Larger ones answer a `getaddr` and stop here.
        public var maxRelayedAddr = 10
        public var addressRelayFanout = 2
        /// Addresses taken from one peer: a burst of 1,000 (a `getaddr` answer), then 0.1 a second.
        public var addressBurst = 1_000.0
        public var addressesPerSecond = 0.1
        /// Transactions asked of one peer and not yet delivered.
        public var maxTransactionsInFlightPerPeer = 5_000
        /// Txids a peer announced beyond that, queued to ask for next (1.6 MB at most a peer).
        public var maxTransactionAnnouncementsPerPeer = 50_000
        /// Whether a misbehaving peer on the loopback host is banned (the simulator's nodes
        /// all are; a real node's local neighbours share the host with every local process).
        public var banLoopback = false
        /// Whether this node relays new tips as compact blocks (it offers them with `sendcmpct`
        /// and takes a peer's offer); off, it relays as before compact blocks, headers first.
        public var compactBlocks = true
        /// Whether each new tip and each new put is pushed whole to every ready peer that is not
        /// known to have it, the textbook flood (about n(d-1) copies of every item, no round
        /// trip). No node runs it: it is the baseline `keychain-sim --relay flood` measures the
        /// relay against. Takes effect with `compactBlocks` and `reconciliation` off.
        public var flooding = false
        /// A compact block this small goes to every peer that takes compact blocks; a larger
        /// one only to those that asked for it pushed (BIP152's high bandwidth), the rest get
        /// its header.
        public var compactBlockPushBytes = 8_192
        /// A put admitted this recently (ms) goes whole in a compact block to every peer but
        /// the one it came from: an `inv` sent since has not been answered yet.
        public var compactBlockPrefillWindow: UInt64 = 200
        /// Peers asked to push compact blocks: the latest to bring a new tip first.
        public var compactBlockSources = 3
        /// How deep below the tip a block's puts are served by `getblocktxn` (BIP152's 10);
        /// deeper, the peer asks for the block.
        public var blockTransactionsDepth: UInt32 = 10
        public init() {}
    }
}
