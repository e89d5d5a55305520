/// `put`: the node signs with its wallet key.
public struct PutParams: Codable, Sendable {
    public var key: String
    public var value: String
    public var encoding: ValueEncoding?
    public var expectedVersion: UInt64?
    public init(key: String, value: String, encoding: ValueEncoding? = nil, expectedVersion: UInt64? = nil) {
        self.key = key; self.value = value; self.encoding = encoding; self.expectedVersion = expectedVersion
    }
}

/// `submit`: a transaction the client signed, as the hex of its canonical encoding.
public struct SubmitParams: Codable, Sendable {
    public var tx: String
    public init(tx: String) { self.tx = tx }
}

/// `submit_batch`: many signed transactions, each admitted or refused on its own.
public struct SubmitBatchParams: Codable, Sendable {
    public var txs: [String]
    public init(txs: [String]) { self.txs = txs }
}

/// `get` and `history`.
public struct KeyParams: Codable, Sendable {
    public var key: String
    public init(key: String) { self.key = key }
}

/// `tx`.
public struct TxParams: Codable, Sendable {
    public var txid: String
    public init(txid: String) { self.txid = txid }
}

/// `wait`: until the transaction is `depth` blocks deep (1 = in the tip), or fails.
public struct WaitParams: Codable, Sendable {
    public var txid: String
    public var depth: UInt32?
    public var timeoutMs: UInt64?
    public init(txid: String, depth: UInt32? = nil, timeoutMs: UInt64? = nil) {
        self.txid = txid; self.depth = depth; self.timeoutMs = timeoutMs
    }
}

/// `subscribe`: notifications for these txids' status changes and, if `tips`, for new tips.
public struct SubscribeParams: Codable, Sendable {
    public var txids: [String]?
    public var tips: Bool?
    public init(txids: [String]? = nil, tips: Bool? = nil) { self.txids = txids; self.tips = tips }
}

/// `block`: by height or by hash (one of the two).
public struct BlockParams: Codable, Sendable {
    public var height: UInt32?
    public var hash: String?
    public init(height: UInt32? = nil, hash: String? = nil) { self.height = height; self.hash = hash }
}

/// `keys`: up to `limit` keys starting with `prefix`, after `after` (the previous page's `next`).
public struct KeysParams: Codable, Sendable {
    public var prefix: String?
    public var after: String?
    public var limit: Int?
    public init(prefix: String? = nil, after: String? = nil, limit: Int? = nil) {
        self.prefix = prefix; self.after = after; self.limit = limit
    }
}

/// `wait_all`: until every txid is `depth` deep or has failed.
public struct WaitAllParams: Codable, Sendable {
    public var txids: [String]
    public var depth: UInt32?
    public var timeoutMs: UInt64?
    /// Report only the transactions that did not confirm, and a count of those that did: a
    /// bulk import need not read back 100,000 statuses.
    public var failuresOnly: Bool?
    public init(txids: [String], depth: UInt32? = nil, timeoutMs: UInt64? = nil, failuresOnly: Bool? = nil) {
        self.txids = txids; self.depth = depth; self.timeoutMs = timeoutMs; self.failuresOnly = failuresOnly
    }
}
