/// One version of a key.
public struct VersionResult: Codable, Sendable, Hashable {
    /// The key.
    public var key: String
    /// 0 for the first version.
    public var version: Int
    /// The value as text, in `encoding`.
    public var value: String
    /// How `value` carries the bytes: `utf8` or `base64`.
    public var encoding: ValueEncoding
    /// The height of the block that confirmed it.
    public var height: UInt32
    /// That block's hash, hex.
    public var block: String
    /// The put's txid, hex.
    public var txid: String
    /// The public key that signed it, hex (the key's owner).
    public var author: String
    /// Blocks on top of its block, its own included (1 = in the tip).
    public var confirmations: UInt32
    public init(key: String, version: Int, value: String, encoding: ValueEncoding, height: UInt32, block: String, txid: String, author: String, confirmations: UInt32) {
        self.key = key; self.version = version; self.value = value; self.encoding = encoding; self.height = height
        self.block = block; self.txid = txid; self.author = author; self.confirmations = confirmations
    }
    /// The value's bytes.
    public var bytes: [UInt8]? { encoding.bytes(value) }
}

/// `history`.
public struct HistoryResult: Codable, Sendable {
    /// The key.
    public var key: String
    /// Every version on the best chain, oldest (version 0) first.
    public var versions: [VersionResult]
    public init(key: String, versions: [VersionResult]) { self.key = key; self.versions = versions }
}

/// Where a transaction stands.
public enum TxState: String, Codable, Sendable {
    /// Waiting in the mempool.
    case pending
    /// On the best chain.
    case confirmed
    /// Refused when submitted.
    case rejected
    /// Accepted, then dropped because the best chain changed under it.
    case evicted
}

/// `tx`, `wait`, `put`, `submit`, and `tx` notifications.
public struct TxStatusResult: Codable, Sendable, Hashable {
    /// The transaction's txid, hex.
    public var txid: String
    /// Where it stands.
    public var status: TxState
    /// Blocks deep (1 = in the tip), when confirmed.
    public var depth: UInt32?
    /// The height of the block that holds it, when confirmed.
    public var height: UInt32?
    /// That block's hash, hex, when confirmed.
    public var block: String?
    /// Why, when rejected or evicted.
    public var reason: String?
    /// The error code of the reason, when rejected or evicted.
    public var code: Int?
    public init(txid: String, status: TxState, depth: UInt32? = nil, height: UInt32? = nil, block: String? = nil, reason: String? = nil, code: Int? = nil) {
        self.txid = txid; self.status = status; self.depth = depth; self.height = height; self.block = block
        self.reason = reason; self.code = code
    }
}

/// `submit_batch`: one entry per transaction, in order.
public struct SubmitBatchResult: Codable, Sendable {
    /// One transaction's outcome.
    public struct Entry: Codable, Sendable {
        /// Its txid, hex (absent when its hex could not be decoded at all).
        public var txid: String?
        /// Why it was refused; absent when it was admitted.
        public var error: RPCError?
        public init(txid: String?, error: RPCError?) { self.txid = txid; self.error = error }
    }
    /// One entry per transaction sent, in the order sent.
    public var results: [Entry]
    public init(results: [Entry]) { self.results = results }
}

/// `subscribe`.
public struct SubscribeResult: Codable, Sendable {
    /// How many txids this call added to the connection's subscription.
    public var txids: Int
    /// Whether this call asked for `tip` notifications.
    public var tips: Bool
    public init(txids: Int, tips: Bool) { self.txids = txids; self.tips = tips }
}

/// A `tip` notification.
public struct TipNotification: Codable, Sendable, Hashable {
    /// The new tip's height.
    public var height: UInt32
    /// The new tip's hash, hex.
    public var hash: String
    public init(height: UInt32, hash: String) { self.height = height; self.hash = hash }
}

/// `status`.
public struct StatusResult: Codable, Sendable {
    /// The network's name.
    public var network: String
    /// The genesis block's hash, hex: the network's identity.
    public var genesis: String
    /// The network's genesis difficulty: a block hash must begin with this many zero bits.
    /// Every block's on a fixed network; where a retargeting one started.
    public var difficultyBits: Int
    /// The best chain's height (genesis is 0).
    public var height: UInt32
    /// The best chain's tip, hex.
    public var tip: String
    /// The tip's timestamp, milliseconds since the Unix epoch.
    public var tipTimestamp: UInt64
    /// Puts waiting to be mined.
    public var mempool: Int
    /// Keys with at least one version on the best chain.
    public var keys: Int
    /// Whether this node mines.
    public var mining: Bool
    /// Hashes a second this node's miner has tried over the last 10 seconds.
    public var hashRate: Double
    /// The public key the node signs `put`s with, hex.
    public var wallet: String
    /// Peer connections that completed the handshake.
    public var peers: Int
    /// Open connections on the client socket, this one included (nil from a node that
    /// predates the field).
    public var clients: Int?
    /// The highest best height a peer has announced (this node's own if none is higher; nil
    /// from a node that predates the field): the node is syncing while it exceeds `height`.
    public var bestKnownHeight: UInt32?
    /// Why the node cannot store blocks (a full disk), while it cannot: it then refuses new
    /// puts with -32030 and serves reads. Absent when all is well.
    public var storageFault: String?
    /// The target the next block on the tip must meet (compact form, hex; nil from a node that
    /// predates the field).
    public var nextTarget: String?
    /// That target as a difficulty: log2 of the expected hashes a block, to two decimals.
    public var nextDifficultyBits: Double?
    /// The ASERT half-life in block intervals; absent on a fixed-difficulty network.
    public var halfLifeIntervals: UInt32?
    public init(network: String, genesis: String, difficultyBits: Int, height: UInt32, tip: String, tipTimestamp: UInt64,
                mempool: Int, keys: Int, mining: Bool, hashRate: Double, wallet: String, peers: Int, clients: Int?,
                bestKnownHeight: UInt32? = nil, storageFault: String? = nil,
                nextTarget: String? = nil, nextDifficultyBits: Double? = nil, halfLifeIntervals: UInt32? = nil) {
        self.network = network; self.genesis = genesis; self.difficultyBits = difficultyBits; self.height = height
        self.tip = tip; self.tipTimestamp = tipTimestamp; self.mempool = mempool; self.keys = keys; self.mining = mining
        self.hashRate = hashRate; self.wallet = wallet; self.peers = peers; self.clients = clients
        self.bestKnownHeight = bestKnownHeight
        self.storageFault = storageFault
        self.nextTarget = nextTarget; self.nextDifficultyBits = nextDifficultyBits; self.halfLifeIntervals = halfLifeIntervals
    }
}

/// `peers`: the node's connections and the hosts it bans.
public struct PeersResult: Codable, Sendable, Equatable {
    /// One connection.
    public struct Peer: Codable, Sendable, Equatable {
        /// The address dialled, or the one an inbound connection came from (`HOST:PORT`).
        public var address: String
        /// Where the peer takes connections, if it said.
        public var listening: String?
        /// `outbound` (this node dialled) or `inbound`.
        public var direction: String
        /// Whether the handshake is complete.
        public var ready: Bool
        /// The best height it announced.
        public var height: UInt32
        /// The last ping round trip in milliseconds, once measured.
        public var pingMs: UInt64?
        /// Bytes received on the connection.
        public var bytesIn: UInt64
        /// Bytes sent on the connection.
        public var bytesOut: UInt64
        /// Seconds since the connection opened.
        public var connectedSeconds: UInt64
        public init(address: String, listening: String?, direction: String, ready: Bool, height: UInt32, pingMs: UInt64?,
                    bytesIn: UInt64, bytesOut: UInt64, connectedSeconds: UInt64) {
            self.address = address; self.listening = listening; self.direction = direction; self.ready = ready
            self.height = height; self.pingMs = pingMs; self.bytesIn = bytesIn; self.bytesOut = bytesOut
            self.connectedSeconds = connectedSeconds
        }
    }

    /// A banned host.
    public struct Ban: Codable, Sendable, Equatable {
        /// The host (an IP address).
        public var host: String
        /// Seconds until the ban ends.
        public var remainingSeconds: UInt64
        public init(host: String, remainingSeconds: UInt64) {
            self.host = host
            self.remainingSeconds = remainingSeconds
        }
    }

    /// Every connection, in the order the node numbered them.
    public var peers: [Peer]
    /// Banned hosts.
    public var banned: [Ban]
    /// The result.
    public init(peers: [Peer], banned: [Ban]) {
        self.peers = peers
        self.banned = banned
    }
}

/// `block`.
public struct BlockResult: Codable, Sendable {
    /// One put in the block.
    public struct Entry: Codable, Sendable {
        /// Its txid, hex.
        public var txid: String
        /// The key it writes.
        public var key: String
        /// The public key that signed it, hex.
        public var author: String
        /// Its value's size in bytes.
        public var valueSize: Int
        public init(txid: String, key: String, author: String, valueSize: Int) {
            self.txid = txid; self.key = key; self.author = author; self.valueSize = valueSize
        }
    }
    /// The block's hash, hex.
    public var hash: String
    /// Its height.
    public var height: UInt32
    /// The header's format version (§3).
    public var version: UInt32
    /// Its parent's hash, hex.
    public var previous: String
    /// The merkle root of its txids, hex (§3).
    public var merkleRoot: String
    /// Its timestamp, milliseconds since the Unix epoch.
    public var timestamp: UInt64
    /// The proof-of-work target in compact form, hex (§3).
    public var target: String
    /// The nonce that solved it.
    public var nonce: UInt64
    /// Blocks on top of it, its own included; 0 off the best chain.
    public var confirmations: UInt32
    /// Whether it is on the best chain.
    public var onBestChain: Bool
    /// Its puts, in block order.
    public var transactions: [Entry]
    public init(hash: String, height: UInt32, version: UInt32, previous: String, merkleRoot: String, timestamp: UInt64, target: String,
                nonce: UInt64, confirmations: UInt32, onBestChain: Bool, transactions: [Entry]) {
        self.hash = hash; self.height = height; self.version = version; self.previous = previous; self.merkleRoot = merkleRoot
        self.timestamp = timestamp; self.target = target; self.nonce = nonce; self.confirmations = confirmations
        self.onBestChain = onBestChain; self.transactions = transactions
    }
}

/// `keys`.
public struct KeysResult: Codable, Sendable {
    /// The page's keys, in UTF-8 byte order.
    public var keys: [String]
    /// Pass as `after` for the next page; absent on the last page.
    public var next: String?
    public init(keys: [String], next: String?) { self.keys = keys; self.next = next }
}

/// `wait_all`: each transaction's final status, in the order asked.
public struct WaitAllResult: Codable, Sendable {
    /// Every status in the order asked, or with `failuresOnly` just those not confirmed.
    public var statuses: [TxStatusResult]
    /// With `failuresOnly`: how many confirmed.
    public var confirmed: Int?
    public init(statuses: [TxStatusResult], confirmed: Int? = nil) { self.statuses = statuses; self.confirmed = confirmed }
}
