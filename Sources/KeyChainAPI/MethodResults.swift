/// One version of a key.
public struct VersionResult: Codable, Sendable, Hashable {
    public var key: String
    /// 0 for the first version.
    public var version: Int
    public var value: String
    public var encoding: ValueEncoding
    public var height: UInt32
    public var block: String
    public var txid: String
    public var author: String
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
    public var key: String
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
    public var txid: String
    public var status: TxState
    /// Blocks deep (1 = in the tip), when confirmed.
    public var depth: UInt32?
    public var height: UInt32?
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
    public struct Entry: Codable, Sendable {
        public var txid: String?
        public var error: RPCError?
        public init(txid: String?, error: RPCError?) { self.txid = txid; self.error = error }
    }
    public var results: [Entry]
    public init(results: [Entry]) { self.results = results }
}

/// `subscribe`.
public struct SubscribeResult: Codable, Sendable {
    public var txids: Int
    public var tips: Bool
    public init(txids: Int, tips: Bool) { self.txids = txids; self.tips = tips }
}

/// A `tip` notification.
public struct TipNotification: Codable, Sendable, Hashable {
    public var height: UInt32
    public var hash: String
    public init(height: UInt32, hash: String) { self.height = height; self.hash = hash }
}

/// `status`.
public struct StatusResult: Codable, Sendable {
    public var network: String
    public var genesis: String
    public var difficultyBits: Int
    public var height: UInt32
    public var tip: String
    public var tipTimestamp: UInt64
    public var mempool: Int
    public var keys: Int
    public var mining: Bool
    public var hashRate: Double
    public var wallet: String
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
    public init(network: String, genesis: String, difficultyBits: Int, height: UInt32, tip: String, tipTimestamp: UInt64,
                mempool: Int, keys: Int, mining: Bool, hashRate: Double, wallet: String, peers: Int, clients: Int?,
                bestKnownHeight: UInt32? = nil, storageFault: String? = nil) {
        self.network = network; self.genesis = genesis; self.difficultyBits = difficultyBits; self.height = height
        self.tip = tip; self.tipTimestamp = tipTimestamp; self.mempool = mempool; self.keys = keys; self.mining = mining
        self.hashRate = hashRate; self.wallet = wallet; self.peers = peers; self.clients = clients
        self.bestKnownHeight = bestKnownHeight
        self.storageFault = storageFault
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
        public var bytesIn: UInt64
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
    public struct Entry: Codable, Sendable {
        public var txid: String
        public var key: String
        public var author: String
        public var valueSize: Int
        public init(txid: String, key: String, author: String, valueSize: Int) {
            self.txid = txid; self.key = key; self.author = author; self.valueSize = valueSize
        }
    }
    public var hash: String
    public var height: UInt32
    /// The header's format version (§3).
    public var version: UInt32
    public var previous: String
    public var merkleRoot: String
    public var timestamp: UInt64
    public var target: String
    public var nonce: UInt64
    public var confirmations: UInt32
    public var onBestChain: Bool
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
