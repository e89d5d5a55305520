import KeyChainAPI
import KeyChainChain
import KeyChainCore

extension Node {
    /// A put signed by the node's wallet.
    public func put(_ params: PutParams) -> Result<TxStatusResult, RPCError> {
        lock.withLock { putLocked(params) }
    }

    private func putLocked(_ params: PutParams) -> Result<TxStatusResult, RPCError> {
        let encoding = params.encoding ?? .utf8
        guard let value = encoding.bytes(params.value) else {
            return .failure(RPCError(.invalidParams, "value is not valid base64"))
        }
        guard value.count <= parameters.maxValueLength else {
            return .failure(RPCError(.rejected, "value is \(value.count) bytes; this network allows at most \(parameters.maxValueLength)"))
        }
        do {
            let transaction = try Transaction.signed(key: params.key, value: value, expectedVersion: params.expectedVersion, by: wallet)
            return submitLocked(transaction)
        } catch {
            return .failure(RPCError(.invalidParams, error.description))
        }
    }

    /// A key's latest version.
    public func get(_ key: String) -> Result<VersionResult, RPCError> {
        lock.withLock { getLocked(key) }
    }

    private func getLocked(_ key: String) -> Result<VersionResult, RPCError> {
        let versions = chain.keyIndex.versions(of: key)
        guard let last = versions.last else { return .failure(Self.keyNotFound(key)) }
        return .success(versionResult(key, versions.count - 1, last))
    }

    /// A key's versions, oldest first.
    public func history(_ key: String) -> Result<HistoryResult, RPCError> {
        lock.withLock { historyLocked(key) }
    }

    private func historyLocked(_ key: String) -> Result<HistoryResult, RPCError> {
        let versions = chain.keyIndex.versions(of: key)
        guard !versions.isEmpty else { return .failure(Self.keyNotFound(key)) }
        return .success(HistoryResult(key: key, versions: versions.enumerated().map { versionResult(key, $0.offset, $0.element) }))
    }

    /// A transaction's status.
    public func transactionStatus(_ txid: Hash256) -> Result<TxStatusResult, RPCError> {
        lock.withLock { transactionStatusLocked(txid) }
    }

    private func transactionStatusLocked(_ txid: Hash256) -> Result<TxStatusResult, RPCError> {
        guard let status = status(of: txid) else {
            return .failure(RPCError(.transactionNotFound, "transaction \(txid.hex) is not known to this node", data: ["txid": txid.hex]))
        }
        return .success(status)
    }

    /// The node's state.
    public func status() -> StatusResult {
        lock.withLock { statusLocked() }
    }

    private func statusLocked() -> StatusResult {
        StatusResult(network: parameters.name, genesis: parameters.genesisHash.hex, difficultyBits: parameters.difficultyBits,
                     height: chain.height, tip: chain.tip.hash.hex, tipTimestamp: chain.tip.header.timestamp,
                     mempool: chain.mempool.count, keys: chain.keyIndex.keyCount, mining: isMining, hashRate: hashRate,
                     wallet: wallet.publicKey.hex, peers: 0)
    }

    /// A block by height (on the best chain) or by hash.
    public func block(_ params: BlockParams) -> Result<BlockResult, RPCError> {
        lock.withLock { blockLocked(params) }
    }

    private func blockLocked(_ params: BlockParams) -> Result<BlockResult, RPCError> {
        let node: BlockNode?
        if let hex = params.hash {
            guard let hash = Hash256(hex: hex) else { return .failure(RPCError(.invalidParams, "hash must be 64 hex digits")) }
            node = chain.tree.node(hash)
        } else if let height = params.height {
            node = chain.tree.activeNode(at: height)
        } else {
            node = chain.tip
        }
        guard let node, node.hasData else {
            return .failure(RPCError(.blockNotFound, "no stored block \(params.hash ?? params.height.map(String.init) ?? "")"))
        }
        let block: Block
        do { block = try chain.block(node.hash) } catch { return .failure(RPCError(.internalError, error.description)) }
        let active = chain.tree.isActive(node.hash)
        return .success(BlockResult(
            hash: node.hash.hex, height: node.height, previous: node.header.previous.hex, merkleRoot: node.header.merkleRoot.hex,
            timestamp: node.header.timestamp, target: String(node.header.target, radix: 16), nonce: node.header.nonce,
            confirmations: active ? chain.height - node.height + 1 : 0, onBestChain: active,
            transactions: block.transactions.map { .init(txid: $0.id.hex, key: $0.key, author: $0.author.hex, valueSize: $0.value.count) }))
    }

    /// A page of keys by prefix.
    public func keys(_ params: KeysParams) -> Result<KeysResult, RPCError> {
        lock.withLock { keysLocked(params) }
    }

    private func keysLocked(_ params: KeysParams) -> Result<KeysResult, RPCError> {
        let limit = params.limit ?? 100
        guard (1...1_000).contains(limit) else { return .failure(RPCError(.invalidParams, "limit must be 1-1000, not \(limit)")) }
        let page = chain.keyIndex.keys(prefix: params.prefix ?? "", after: params.after, limit: limit + 1)
        let keys = Array(page.prefix(limit))
        return .success(KeysResult(keys: keys, next: page.count > limit ? keys.last : nil))
    }

    private func versionResult(_ key: String, _ index: Int, _ version: KeyVersion) -> VersionResult {
        let encoding = ValueEncoding.choose(for: version.value)
        return VersionResult(key: key, version: index, value: encoding.text(version.value), encoding: encoding,
                             height: version.height, block: version.blockHash.hex, txid: version.txid.hex,
                             author: version.author.hex, confirmations: version.confirmations(tipHeight: chain.height))
    }

    private static func keyNotFound(_ key: String) -> RPCError {
        RPCError(.keyNotFound, "key '\(key)' has no versions", data: ["key": key])
    }
}
