/// `put`: the node signs with its wallet key.
public struct PutParams: Codable, Sendable {
    /// The key to write: 1-255 bytes of UTF-8.
    public var key: String
    /// The value, as text in `encoding`.
    public var value: String
    /// `utf8` (the default) or `base64`.
    public var encoding: ValueEncoding?
    /// Succeed only if the key has exactly this many versions (compare-and-set).
    public var expectedVersion: UInt64?
    public init(key: String, value: String, encoding: ValueEncoding? = nil, expectedVersion: UInt64? = nil) {
        self.key = key; self.value = value; self.encoding = encoding; self.expectedVersion = expectedVersion
    }
}

/// `submit`: a transaction the client signed, as the hex of its canonical encoding.
public struct SubmitParams: Codable, Sendable {
    /// The hex of the transaction's canonical encoding, signature included (§2).
    public var tx: String
    public init(tx: String) { self.tx = tx }
}

/// `submit_batch`: many signed transactions, each admitted or refused on its own.
public struct SubmitBatchParams: Codable, Sendable {
    /// Up to 10,000 transactions, each as `SubmitParams.tx`.
    public var txs: [String]
    public init(txs: [String]) { self.txs = txs }
}

/// `get` and `history`.
public struct KeyParams: Codable, Sendable {
    /// The key.
    public var key: String
    public init(key: String) { self.key = key }
}

/// `tx`.
public struct TxParams: Codable, Sendable {
    /// The txid, hex.
    public var txid: String
    public init(txid: String) { self.txid = txid }
}

/// `wait`: until the transaction is `depth` blocks deep (1 = in the tip), or fails.
public struct WaitParams: Codable, Sendable {
    /// The txid, hex.
    public var txid: String
    /// Blocks deep to wait for (1 = in the tip; the default).
    public var depth: UInt32?
    /// How long to wait, in milliseconds (default 60,000, at most 3,600,000).
    public var timeoutMs: UInt64?
    public init(txid: String, depth: UInt32? = nil, timeoutMs: UInt64? = nil) {
        self.txid = txid; self.depth = depth; self.timeoutMs = timeoutMs
    }
}

/// `subscribe`: notifications for these txids' status changes and, if `tips`, for new tips.
public struct SubscribeParams: Codable, Sendable {
    /// Txids (hex) whose status changes to notify.
    public var txids: [String]?
    /// Whether to notify every new tip.
    public var tips: Bool?
    public init(txids: [String]? = nil, tips: Bool? = nil) { self.txids = txids; self.tips = tips }
}

/// `block`: by height or by hash (one of the two).
public struct BlockParams: Codable, Sendable {
    /// A height on the best chain.
    public var height: UInt32?
    /// A block hash, hex.
    public var hash: String?
    public init(height: UInt32? = nil, hash: String? = nil) { self.height = height; self.hash = hash }
}

/// `keys`: up to `limit` keys starting with `prefix`, after `after` (the previous page's `next`).
public struct KeysParams: Codable, Sendable {
    /// Only keys starting with this (default: every key).
    public var prefix: String?
    /// Start after this key: the previous page's `next`.
    public var after: String?
    /// Keys in the page, 1-1,000 (default 100).
    public var limit: Int?
    public init(prefix: String? = nil, after: String? = nil, limit: Int? = nil) {
        self.prefix = prefix; self.after = after; self.limit = limit
    }
}

/// `wait_all`: until every txid is `depth` deep or has failed.
public struct WaitAllParams: Codable, Sendable {
    /// 1-100,000 txids, hex.
    public var txids: [String]
    /// Blocks deep to wait for (1 = in the tip; the default).
    public var depth: UInt32?
    /// How long to wait, in milliseconds (default 60,000, at most 3,600,000).
    public var timeoutMs: UInt64?
    /// Report only the transactions that did not confirm, and a count of those that did: a
    /// bulk import need not read back 100,000 statuses.
    public var failuresOnly: Bool?
    public init(txids: [String], depth: UInt32? = nil, timeoutMs: UInt64? = nil, failuresOnly: Bool? = nil) {
        self.txids = txids; self.depth = depth; self.timeoutMs = timeoutMs; self.failuresOnly = failuresOnly
    }
}
