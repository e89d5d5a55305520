import KeyChainAPI
import KeyChainChain
import KeyChainCore

// The reads of the client API, answered from a published view on the caller's thread.
extension ChainView {
    /// A key's latest version.
    public func get(_ key: String) -> Result<VersionResult, NodeRequestError> {
        if let error = Self.checkKey(key) { return .failure(error) }
        let versions = keyIndex.versions(of: key)
        guard let last = versions.last else { return .failure(.keyNotFound(key)) }
        return .success(versionResult(key, versions.count - 1, last))
    }

    /// A key's versions, oldest first.
    public func history(_ key: String) -> Result<HistoryResult, NodeRequestError> {
        if let error = Self.checkKey(key) { return .failure(error) }
        let versions = keyIndex.versions(of: key)
        guard !versions.isEmpty else { return .failure(.keyNotFound(key)) }
        return .success(HistoryResult(key: key, versions: versions.enumerated().map { versionResult(key, $0.offset, $0.element) }))
    }

    /// A transaction's status.
    public func transactionStatus(_ txid: Hash256) -> Result<TransactionStatus, NodeRequestError> {
        guard let status = status(of: txid) else { return .failure(.transactionNotFound(txid)) }
        return .success(status)
    }

    /// A page of at most `limit` keys (1-1,000) starting with `prefix`, after `after`.
    public func keys(prefix: String, after: String?, limit: Int) -> Result<KeysResult, NodeRequestError> {
        guard (1...1_000).contains(limit) else { return .failure(.invalidParameter("limit must be 1-1000, not \(limit)")) }
        let page = keyIndex.keys(prefix: prefix, after: after, limit: limit + 1)
        let keys = Array(page.prefix(limit))
        return .success(KeysResult(keys: keys, next: page.count > limit ? keys.last : nil))
    }

    /// The node's state, with the miner's current hash rate and the open client connections.
    public func status(hashRate: Double, clients: Int) -> StatusResult {
        StatusResult(network: parameters.name, genesis: parameters.genesisHash.hex, difficultyBits: parameters.difficultyBits,
                     height: tip.height, tip: tip.hash.hex, tipTimestamp: tip.header.timestamp,
                     mempool: mempool.count, keys: keyIndex.keyCount, mining: mining, hashRate: hashRate,
                     wallet: wallet.hex, peers: peers, clients: clients, bestKnownHeight: max(bestKnownHeight, tip.height),
                     storageFault: storageFault)
    }

    /// Why `key` cannot be a key (empty, or longer than the protocol's 255 bytes), or nil.
    static func checkKey(_ key: String) -> NodeRequestError? {
        let length = key.utf8.count
        if length == 0 { return .invalidKey("a key is 1-\(Transaction.maxKeyLength) bytes of UTF-8, not empty") }
        if length > Transaction.maxKeyLength {
            return .invalidKey("a key is 1-\(Transaction.maxKeyLength) bytes of UTF-8, not \(length)")
        }
        return nil
    }

    private func versionResult(_ key: String, _ index: Int, _ version: KeyVersion) -> VersionResult {
        let encoding = ValueEncoding.choose(for: version.value)
        return VersionResult(key: key, version: index, value: encoding.text(version.value), encoding: encoding,
                             height: version.height, block: version.blockHash.hex, txid: version.txid.hex,
                             author: version.author.hex, confirmations: version.confirmations(tipHeight: tip.height))
    }
}
