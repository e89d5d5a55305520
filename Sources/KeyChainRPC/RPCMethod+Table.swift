import KeyChainAPI
import KeyChainCore
import KeyChainOwner

// Every API method, one entry each (docs/PROTOCOL.md §8.4 gives their params and results).
// The API's result types are made here, from the owner's own, and nowhere else.
extension RPCMethod {
    /// How `method` is carried out.
    static func of(_ method: APIMethod) -> RPCMethod {
        switch method {
        case .get:
            .read(KeyParams.self) { view, params, _ in view.get(params.key).map(VersionResult.init) }
        case .history:
            .read(KeyParams.self, writing: JSONText.reply) { view, params in
                view.history(params.key).map { HistoryResult(key: params.key, versions: $0.map(VersionResult.init)) }
            }
        case .tx:
            .read(TxParams.self) { view, params, _ in
                txid(params.txid).flatMap(view.transactionStatus).map(TxStatusResult.init)
            }
        case .status:
            .read(NoParams.self, optional: true) { view, _, call in
                .success(StatusResult(view, hashRate: call.node.hashRate, clients: call.node.clientCount.load(ordering: .relaxed)))
            }
        case .keys:
            .listing(KeysParams.self, optional: true) { view, params in
                view.keys(prefix: params.prefix ?? "", after: params.after, limit: params.limit ?? 100)
                    .map { KeysResult(keys: $0.keys, next: $0.next) }
            }
        case .peers:
            .owner(NoParams.self, optional: true) { _, call, handle in
                handle.applied()  // a read: nothing of its own to wait for
                call.node.peers(connection: call.connection) { report in
                    handle.reply { call.answer(Result<_, NodeRequestError>.success(PeersResult(report))) }
                }
            }
        case .block:
            .owner(BlockParams.self, optional: true) { params, call, handle in
                handle.applied()  // a read: nothing of its own to wait for
                var hash: Hash256?
                if let text = params.hash {
                    guard let parsed = Hash256(hex: text) else {
                        return handle.reply { call.failure(RPCError(.invalidParams, "hash must be 64 hex digits")) }
                    }
                    hash = parsed
                }
                call.node.block(hash: hash, height: params.height, connection: call.connection) { result in
                    handle.reply { call.answer(result.map(BlockResult.init)) }
                }
            }
        case .wait:
            .owner(WaitParams.self) { params, call, handle in
                guard case let .success(txid) = txid(params.txid) else {
                    handle.applied()
                    return handle.reply { call.failure(badTxid.rpcError) }
                }
                call.node.wait(for: [txid], depth: params.depth ?? 1, timeout: timeout(params.timeoutMs), all: false,
                               connection: call.connection, registered: handle.applied) { result in
                    handle.reply { call.answer(result.map { TxStatusResult($0[0]) }) }
                }
            }
        case .waitAll:
            .prepared(WaitAllParams.self) { params, call in
                var txids: [Hash256] = []
                txids.reserveCapacity(params.txids.count)
                for text in params.txids {
                    guard let txid = Hash256(hex: text) else { return .reply(call.failure(badTxid.rpcError)) }
                    txids.append(txid)
                }
                guard !txids.isEmpty, txids.count <= 100_000 else {
                    return .reply(call.failure(RPCError(.invalidParams, "txids must hold 1-100,000 entries, not \(txids.count)")))
                }
                let depth = params.depth ?? 1, timeout = timeout(params.timeoutMs), failuresOnly = params.failuresOnly == true
                return .owner { [txids] handle in
                    call.node.wait(for: txids, depth: depth, timeout: timeout, all: true, connection: call.connection,
                                   registered: handle.applied) { result in
                        handle.replyBuiltElsewhere { call.answer(result.map { waitAllResult($0, failuresOnly: failuresOnly) }) }
                    }
                }
            }
        case .subscribe:
            .owner(SubscribeParams.self) { params, call, handle in
                var txids: [Hash256] = []
                for text in params.txids ?? [] {
                    guard let txid = Hash256(hex: text) else {
                        handle.applied()
                        return handle.reply { call.failure(badTxid.rpcError) }
                    }
                    txids.append(txid)
                }
                let tips = params.tips ?? false, count = txids.count
                call.node.subscribe(connection: call.connection, txids: txids, tips: tips, sink: call.dispatcher.notifications) { refusal in
                    handle.applied()
                    let result: Result<SubscribeResult, NodeRequestError> = refusal.map { .failure($0) } ?? .success(SubscribeResult(txids: count, tips: tips))
                    handle.reply { call.answer(result) }
                }
            }
        case .put:
            // Decoding, signing and verifying: off the event loop.
            .prepared(PutParams.self) { params, call in
                guard let value = (params.encoding ?? .utf8).bytes(params.value) else {
                    return .reply(call.failure(RPCError(.invalidParams, "value is not valid base64")))
                }
                switch call.node.signPut(key: params.key, value: value, expectedVersion: params.expectedVersion) {
                case let .failure(error): return .reply(call.failure(error.rpcError))
                case let .success(transaction): return submission(transaction, call)
                }
            }
        case .submit:
            .prepared(SubmitParams.self) { params, call in
                switch transaction(fromHex: params.tx) {
                case let .failure(error): return .reply(call.failure(error.rpcError))
                case let .success(transaction):
                    _ = call.node.signatures.isValid(transaction)  // verified here, off the owner's queue
                    return submission(transaction, call)
                }
            }
        case .submitBatch:
            .prepared(SubmitBatchParams.self, submitBatch)
        }
    }

    /// Hands a decoded, verified put to the owner.
    private static func submission(_ transaction: Transaction, _ call: RPCCall) -> RPCDelivery {
        .owner { handle in
            call.node.submit(transaction, connection: call.connection) { result in
                handle.applied()
                handle.reply { call.answer(result.map(TxStatusResult.init)) }
            }
        }
    }

    /// Checks every signature of a batch at once, then hands its puts to the owner; the reply
    /// has one entry per transaction sent, in order, undecodable ones included.
    private static func submitBatch(_ params: SubmitBatchParams, _ call: RPCCall) -> RPCDelivery {
        guard params.txs.count <= 10_000 else {
            return .reply(call.failure(RPCError(.invalidParams, "a batch holds at most 10,000 transactions, not \(params.txs.count)")))
        }
        let decoded = params.txs.map(transaction(fromHex:))
        let valid = decoded.compactMap { try? $0.get() }
        // Every signature verified in parallel before the owner sees the batch.
        return .afterVerifying(valid) { .owner { handle in
            call.node.submit(batch: valid, connection: call.connection) { results in
                handle.applied()
                handle.replyBuiltElsewhere {
                    var entries: [SubmitBatchResult.Entry] = []
                    entries.reserveCapacity(decoded.count)
                    var next = results.makeIterator()
                    for (index, item) in decoded.enumerated() {
                        switch item {
                        case let .failure(error):
                            var rpc = error.rpcError
                            rpc.message = "txs[\(index)]: " + rpc.message
                            entries.append(.init(txid: nil, error: rpc))
                        case let .success(transaction):
                            switch next.next() {
                            case .success?: entries.append(.init(txid: transaction.id.hex, error: nil))
                            case let .failure(error)?: entries.append(.init(txid: transaction.id.hex, error: error.rpcError))
                            case nil: entries.append(.init(txid: transaction.id.hex, error: RPCError(.internalError, "no result")))
                            }
                        }
                    }
                    return call.answer(Result<_, NodeRequestError>.success(SubmitBatchResult(results: entries)))
                }
            }
        } }
    }

    /// `wait_all`'s result: every status, or (`failures_only`) those not confirmed and a count
    /// of the rest.
    private static func waitAllResult(_ found: [TransactionStatus], failuresOnly: Bool) -> WaitAllResult {
        let statuses = found.map(TxStatusResult.init)
        guard failuresOnly else { return WaitAllResult(statuses: statuses) }
        let failures = statuses.filter { $0.status != .confirmed }
        return WaitAllResult(statuses: failures, confirmed: statuses.count - failures.count)
    }

    static let badTxid = NodeRequestError.invalidParameter("txid must be 64 hex digits")

    private static func txid(_ text: String) -> Result<Hash256, NodeRequestError> {
        Hash256(hex: text).map { .success($0) } ?? .failure(badTxid)
    }

    /// A wait's deadline: 60 s unless given, at most an hour.
    private static func timeout(_ milliseconds: UInt64?) -> Duration {
        .milliseconds(Int64(min(milliseconds ?? 60_000, 3_600_000)))
    }

    /// A transaction from the hex of its canonical encoding: bad hex is a bad parameter
    /// (-32602), bytes that are not a transaction a rejected one (-32010).
    static func transaction(fromHex text: String) -> Result<Transaction, NodeRequestError> {
        guard let bytes = Hex.decode(text) else { return .failure(.invalidParameter("tx must be hex digits, two per byte")) }
        do { return .success(try Transaction(decoding: bytes)) } catch { return .failure(.malformedTransaction(error.description)) }
    }
}
