import KeyChainChain
import KeyChainCore

// The reads of the client API, answered from a published view on the caller's thread.
extension ChainView {
    /// A key's latest version.
    public func get(_ key: String) -> Result<KeyVersionEntry, NodeRequestError> {
        if let error = Self.checkKey(key) { return .failure(error) }
        let latest: (number: Int, version: KeyVersion)?
        do { latest = try keyIndex.latest(key) } catch { return .failure(.storage(error.description)) }
        guard let latest else { return .failure(.keyNotFound(key)) }
        return .success(entry(key, latest.number, latest.version))
    }

    /// A key's versions, oldest first.
    public func history(_ key: String) -> Result<[KeyVersionEntry], NodeRequestError> {
        if let error = Self.checkKey(key) { return .failure(error) }
        let versions: [KeyVersion]
        do { versions = try keyIndex.versions(of: key) } catch { return .failure(.storage(error.description)) }
        guard !versions.isEmpty else { return .failure(.keyNotFound(key)) }
        return .success(versions.enumerated().map { entry(key, $0.offset, $0.element) })
    }

    /// A transaction's status.
    public func transactionStatus(_ txid: Hash256) -> Result<TransactionStatus, NodeRequestError> {
        guard let status = status(of: txid) else { return .failure(.transactionNotFound(txid)) }
        return .success(status)
    }

    /// A page of at most `limit` keys (1-1,000) starting with `prefix`, after `after`.
    public func keys(prefix: String, after: String?, limit: Int) -> Result<KeyPage, NodeRequestError> {
        guard (1...1_000).contains(limit) else { return .failure(.invalidParameter("limit must be 1-1000, not \(limit)")) }
        let page: [String]
        do { page = try keyIndex.keys(prefix: prefix, after: after, limit: limit + 1) } catch { return .failure(.storage(error.description)) }
        let keys = Array(page.prefix(limit))
        return .success(KeyPage(keys: keys, next: page.count > limit ? keys.last : nil))
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

    private func entry(_ key: String, _ number: Int, _ version: KeyVersion) -> KeyVersionEntry {
        KeyVersionEntry(key: key, number: number, version: version, confirmations: version.confirmations(tipHeight: tip.height))
    }
}
