import KeyChainAPI
import KeyChainCore

extension KeyChainClient {
    /// Who signs a put.
    public enum Signer: Sendable {
        /// The node's wallet key (the node owns the keys written this way).
        case node
        /// The caller's own identity: ownership follows the caller to any node.
        case identity(Identity)
    }

    /// Writes a new version of `key` and returns at once with a receipt; the receipt reports,
    /// by `await receipt.outcome` or a callback, confirmation at `confirmations` blocks deep or
    /// the failure. Throws when the node refuses the put outright (conflict, not the owner,
    /// bad value...).
    public func put(
        key: String, value: [UInt8], expectedVersion: UInt64? = nil, signer: Signer = .node,
        confirmations: UInt32 = 1, timeout: Duration = .seconds(60)
    ) async throws(KeyChainClientError) -> PutReceipt {
        let status: TxStatusResult
        switch signer {
        case .node:
            let encoding = ValueEncoding.choose(for: value)
            status = try await call("put", PutParams(key: key, value: encoding.text(value), encoding: encoding, expectedVersion: expectedVersion))
        case let .identity(identity):
            let transaction: Transaction
            do { transaction = try Transaction.signed(key: key, value: value, expectedVersion: expectedVersion, by: identity) } catch {
                throw .rpc(RPCError(.invalidParams, error.description))
            }
            status = try await submit(transaction)
        }
        guard let txid = Hash256(hex: status.txid) else { throw .malformedReply("txid \(status.txid)") }
        return PutReceipt(txid: txid) { [self] in
            do {
                let settled = try await wait(txid: txid, depth: confirmations, timeout: timeout)
                guard let height = settled.height, let block = settled.block.flatMap(Hash256.init(hex:)) else {
                    return .failed("the node reported no block for a confirmed put")
                }
                return .confirmed(depth: settled.depth ?? confirmations, height: height, block: block)
            } catch let error as KeyChainClientError {
                return PutOutcome(error)
            } catch {
                return .failed("\(error)")
            }
        }
    }

    /// Submits a transaction signed by the caller.
    public func submit(_ transaction: Transaction) async throws(KeyChainClientError) -> TxStatusResult {
        try await call("submit", SubmitParams(tx: Hex.encode(transaction.encoded)))
    }

    /// Submits signed transactions in one request; each is admitted or refused on its own.
    public func submit(batch: [Transaction]) async throws(KeyChainClientError) -> [SubmitBatchResult.Entry] {
        let result: SubmitBatchResult = try await call("submit_batch", SubmitBatchParams(txs: batch.map { Hex.encode($0.encoded) }))
        return result.results
    }

    /// The latest version of `key`, or nil if it has none.
    public func retrieve(_ key: String) async throws(KeyChainClientError) -> VersionResult? {
        do {
            return try await call("get", KeyParams(key: key), as: VersionResult.self)
        } catch {
            if error.code == .keyNotFound { return nil }
            throw error
        }
    }

    /// Every version of `key` in chain order (empty if it has none).
    public func retrieveAll(_ key: String) async throws(KeyChainClientError) -> [VersionResult] {
        do {
            return try await call("history", KeyParams(key: key), as: HistoryResult.self).versions
        } catch {
            if error.code == .keyNotFound { return [] }
            throw error
        }
    }

    /// A transaction's status.
    public func transaction(_ txid: Hash256) async throws(KeyChainClientError) -> TxStatusResult {
        try await call("tx", TxParams(txid: txid.hex))
    }

    /// Waits until `txid` is `depth` blocks deep; throws its failure or `.timeout`.
    public func wait(txid: Hash256, depth: UInt32 = 1, timeout: Duration = .seconds(60)) async throws(KeyChainClientError) -> TxStatusResult {
        try await call("wait", WaitParams(txid: txid.hex, depth: depth, timeoutMs: timeout.wholeMilliseconds))
    }

    /// Waits until every txid is `depth` deep or has failed; returns their statuses in order.
    public func waitAll(txids: [Hash256], depth: UInt32 = 1, timeout: Duration = .seconds(60)) async throws(KeyChainClientError) -> [TxStatusResult] {
        let result: WaitAllResult = try await call("wait_all", WaitAllParams(txids: txids.map(\.hex), depth: depth, timeoutMs: timeout.wholeMilliseconds))
        return result.statuses
    }

    /// Waits as `waitAll` does, but returns only how many confirmed and the statuses of those
    /// that did not: cheap for both sides when most confirm.
    public func waitAllFailures(txids: [Hash256], depth: UInt32 = 1, timeout: Duration = .seconds(60)) async throws(KeyChainClientError) -> (confirmed: Int, failures: [TxStatusResult]) {
        let result: WaitAllResult = try await call("wait_all", WaitAllParams(txids: txids.map(\.hex), depth: depth, timeoutMs: timeout.wholeMilliseconds, failuresOnly: true))
        return (result.confirmed ?? 0, result.statuses)
    }

    /// The node's state.
    public func status() async throws(KeyChainClientError) -> StatusResult {
        try await call("status", NoParams())
    }

    /// The node's peer connections and banned hosts.
    public func peers() async throws(KeyChainClientError) -> PeersResult {
        try await call("peers", NoParams())
    }

    /// A block by height or hash (the tip when both are nil).
    public func block(height: UInt32? = nil, hash: Hash256? = nil) async throws(KeyChainClientError) -> BlockResult {
        try await call("block", BlockParams(height: height, hash: hash?.hex))
    }

    /// A page of keys starting with `prefix`.
    public func keys(prefix: String, after: String? = nil, limit: Int = 100) async throws(KeyChainClientError) -> KeysResult {
        try await call("keys", KeysParams(prefix: prefix, after: after, limit: limit))
    }

    /// Asks for `tx` notifications on these txids and, if `tips`, `tip` notifications; they
    /// arrive on `notifications`.
    public func subscribe(txids: [Hash256] = [], tips: Bool = false) async throws(KeyChainClientError) -> SubscribeResult {
        try await call("subscribe", SubscribeParams(txids: txids.map(\.hex), tips: tips))
    }
}
