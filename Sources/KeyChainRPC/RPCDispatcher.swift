import Foundation
import KeyChainAPI
import KeyChainOwner
import KeyChainCore
import NIOCore

/// How one request is carried out, in its connection's order (docs/ARCHITECTURE.md §8: each request sees
/// the effects of every request before it on the same connection).
enum RPCStep {
    /// Nothing to order: a malformed line, an unknown method. The reply.
    case reply(String?)
    /// A read: answered on the event loop from the published view, once every write before
    /// it on the connection has taken effect (at once when there is none).
    case read(() -> String?)
    /// A read whose answer takes long to build (a `keys` listing after the key set changed
    /// sorts every key): the view is taken on the event loop at the same point as a `read`'s,
    /// and the answer built on `RPCDispatcher.listingQueue`, off the event loop.
    case readElsewhere(() -> @Sendable () -> String?)
    /// A write whose preparation (params, signatures) runs off the event loop; it is handed
    /// to the chain's owner after the writes before it.
    case prepare(@Sendable () async -> RPCDelivery)
    /// A write prepared already.
    case deliver(RPCDelivery)
}

/// A prepared write: what to hand the chain's owner, or the reply when its params were bad.
enum RPCDelivery: Sendable {
    case reply(String?)
    /// Called on the event loop in request order; it enqueues to the owner at once.
    case owner(@Sendable (RPCCompletion) -> Void)
}

/// What a write reports back to its connection.
struct RPCCompletion: Sendable {
    /// The write's effect is in the published view: the reads after it may run.
    let applied: @Sendable () -> Void
    /// Its reply, built (encoded) on the connection's event loop.
    let reply: @Sendable (@escaping @Sendable () -> String?) -> Void
    /// Its reply, built in a task: for replies that take milliseconds to encode (a batch's
    /// thousands of entries), which would hold up the event loop's other requests.
    let replyBuiltElsewhere: @Sendable (@escaping @Sendable () -> String?) -> Void
}

/// Turns one request line into one `RPCStep`. Every failure (bad JSON, unknown method, wrong
/// or missing params, a refused put) becomes a JSON-RPC error; nothing here throws or traps.
/// One dispatcher serves one connection. The only place a `NodeRequestError` becomes a code.
struct RPCDispatcher: Sendable {
    let node: Node
    let connection: UInt64
    let notifications: @Sendable (ChainNotification) -> Void
    private let decoder = JSONDecoder()
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// Where the slow reads of every connection are answered, one at a time: the first
    /// `keys` after the key set changed sorts it once, and the ones queued behind it (on any
    /// connection) find it sorted, so a burst of listings costs one sort, not one per loop.
    static let listingQueue = DispatchQueue(label: "keychain.rpc.listing", qos: .userInitiated)

    init(node: Node, connection: UInt64, notifications: @escaping @Sendable (ChainNotification) -> Void) {
        self.node = node
        self.connection = connection
        self.notifications = notifications
    }

    /// The step for a frame, and the method's name for its timer.
    func step(for frame: LineFrame, maxLength: Int) -> (RPCStep, String) {
        switch frame {
        case let .tooLong(length):
            return (.reply(encodeError(.null, RPCError(.invalidRequest, "request of \(length) bytes exceeds the limit of \(maxLength) bytes"))), "invalid")
        case let .line(buffer):
            if let fast = buffer.withUnsafeReadableBytes({ fastGet($0) }) { return (fast, "get") }
            let data = Data(buffer.readableBytesView)
            if data.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return (.reply(nil), "empty") }
            return step(for: data)
        }
    }

    /// The full path for a line that is not a plain `get` (`fastGet` already declined it).
    private func step(for data: Data) -> (RPCStep, String) {
        let head: RPCRequestHead
        do {
            head = try decoder.decode(RPCRequestHead.self, from: data)
        } catch {
            guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
                return (.reply(encodeError(.null, RPCError(.parseError, "the line is not valid JSON"))), "invalid")
            }
            guard object is [String: Any] else {
                return (.reply(encodeError(.null, RPCError(.invalidRequest, "a request is one JSON object per line (batch arrays are not supported)"))), "invalid")
            }
            return (.reply(encodeError(.null, RPCError(.invalidRequest, "not a JSON-RPC 2.0 request: \(Self.explain(error))"))), "invalid")
        }
        let id = head.id ?? .null
        guard head.jsonrpc == "2.0" else {
            return (.reply(encodeError(id, RPCError(.invalidRequest, "\"jsonrpc\" must be \"2.0\""))), "invalid")
        }
        guard let method = APIMethod(rawValue: head.method) else {
            let known = APIMethod.allCases.map(\.rawValue).joined(separator: ", ")
            return (.reply(encodeError(id, RPCError(.methodNotFound, "unknown method '\(head.method)'; the methods are: \(known)"))), "invalid")
        }
        // A notification (no id) is carried out and gets no reply.
        let silent = head.id == nil
        return (step(method, id: id, data: data, silent: silent), method.rawValue)
    }

    /// `get` without JSONDecoder: the hottest request, in its plain form. Nil sends the line
    /// down the full path (which also words any error).
    private func fastGet(_ bytes: UnsafeRawBufferPointer) -> RPCStep? {
        guard let request = FlatRequest.parse(bytes), request.jsonrpc == "2.0", request.method == "get",
              let id = request.id, request.params.count == 1, case let .string(key)? = request.params["key"] else { return nil }
        return .read { [node] in
            switch node.view.get(key) {
            case let .success(version): JSONText.reply(id: id, version: version)
            case let .failure(error): encodeError(id, error.rpcError)
            }
        }
    }

    private func step(_ method: APIMethod, id: RPCID, data: Data, silent: Bool) -> RPCStep {
        let node = self.node
        let dispatcher = self
        /// A read of the view; `elsewhere`, its answer is built off the event loop.
        func read<Params: Codable & Sendable, Output: Codable & Sendable>(
            _ type: Params.Type, optional: Bool = false, elsewhere: Bool = false,
            _ body: @escaping @Sendable (ChainView, Params) -> Result<Output, NodeRequestError>
        ) -> RPCStep {
            switch decodeParams(data, type, optional: optional) {
            case let .failure(error): return .reply(silent ? nil : encodeError(id, error))
            case let .success(params):
                guard elsewhere else { return .read { silent ? nil : dispatcher.encode(id, body(node.view, params)) } }
                return .readElsewhere {
                    let view = node.view
                    return { silent ? nil : dispatcher.encode(id, body(view, params)) }
                }
            }
        }
        switch method {
        case .get:
            return read(KeyParams.self) { view, params in view.get(params.key) }
        case .history:
            return read(KeyParams.self) { view, params in view.history(params.key) }
        case .tx:
            return read(TxParams.self) { view, params -> Result<TxStatusResult, NodeRequestError> in
                guard let txid = Hash256(hex: params.txid) else { return .failure(Self.badTxid) }
                return view.transactionStatus(txid).map(TxStatusResult.init)
            }
        case .status:
            return read(NoParams.self, optional: true) { _, _ in .success(node.status()) }
        case .peers:
            return .deliver(write(NoParams.self, optional: true, id: id, data: data, silent: silent) { _, done, reply in
                done.applied()  // a read: nothing of its own to wait for
                node.peers(connection: connection) { result in reply { dispatcher.encode(id, Result<PeersResult, NodeRequestError>.success(result)) } }
            })
        case .keys:
            return read(KeysParams.self, optional: true, elsewhere: true) { view, params in
                view.keys(prefix: params.prefix ?? "", after: params.after, limit: params.limit ?? 100)
            }
        case .put:
            // Decoding, signing and verifying: off the event loop.
            return .prepare {
                switch dispatcher.decodeParams(data, PutParams.self, optional: false) {
                case let .failure(error): return .reply(silent ? nil : dispatcher.encodeError(id, error))
                case let .success(params):
                    guard let value = (params.encoding ?? .utf8).bytes(params.value) else {
                        return .reply(silent ? nil : dispatcher.encodeError(id, RPCError(.invalidParams, "value is not valid base64")))
                    }
                    switch node.signPut(key: params.key, value: value, expectedVersion: params.expectedVersion) {
                    case let .failure(error): return .reply(silent ? nil : dispatcher.encodeError(id, error.rpcError))
                    case let .success(transaction): return dispatcher.submission(transaction, id: id, silent: silent)
                    }
                }
            }
        case .submit:
            return .prepare {
                switch dispatcher.decodeParams(data, SubmitParams.self, optional: false) {
                case let .failure(error): return .reply(silent ? nil : dispatcher.encodeError(id, error))
                case let .success(params):
                    switch Self.transaction(fromHex: params.tx) {
                    case let .failure(error): return .reply(silent ? nil : dispatcher.encodeError(id, error.rpcError))
                    case let .success(transaction):
                        _ = node.signatures.isValid(transaction)  // verified here, off the owner's queue
                        return dispatcher.submission(transaction, id: id, silent: silent)
                    }
                }
            }
        case .submitBatch:
            return .prepare { dispatcher.submitBatch(id: id, data: data, silent: silent) }
        case .wait:
            return .deliver(write(WaitParams.self, id: id, data: data, silent: silent) { params, done, reply in
                guard let txid = Hash256(hex: params.txid) else {
                    done.applied()
                    return reply { dispatcher.encodeError(id, Self.badTxid.rpcError) }
                }
                let timeout = Duration.milliseconds(Int64(min(params.timeoutMs ?? 60_000, 3_600_000)))
                node.wait(for: [txid], depth: params.depth ?? 1, timeout: timeout, all: false, connection: connection, registered: done.applied) { result in
                    reply { dispatcher.encode(id, result.map { TxStatusResult($0[0]) }) }
                }
            })
        case .waitAll:
            return .prepare {
                let params: WaitAllParams
                switch dispatcher.decodeParams(data, WaitAllParams.self, optional: false) {
                case let .failure(error): return .reply(silent ? nil : dispatcher.encodeError(id, error))
                case let .success(decoded): params = decoded
                }
                var txids: [Hash256] = []
                txids.reserveCapacity(params.txids.count)
                for text in params.txids {
                    guard let txid = Hash256(hex: text) else { return .reply(silent ? nil : dispatcher.encodeError(id, Self.badTxid.rpcError)) }
                    txids.append(txid)
                }
                guard !txids.isEmpty, txids.count <= 100_000 else {
                    return .reply(silent ? nil : dispatcher.encodeError(id, RPCError(.invalidParams, "txids must hold 1-100,000 entries, not \(txids.count)")))
                }
                let timeout = Duration.milliseconds(Int64(min(params.timeoutMs ?? 60_000, 3_600_000)))
                let failuresOnly = params.failuresOnly == true
                let parsed = txids
                return .owner { done in
                    node.wait(for: parsed, depth: params.depth ?? 1, timeout: timeout, all: true, connection: connection, registered: done.applied) { result in
                        done.replyBuiltElsewhere {
                            guard !silent else { return nil }
                            return dispatcher.encode(id, result.map { found in
                                let statuses = found.map(TxStatusResult.init)
                                guard failuresOnly else { return WaitAllResult(statuses: statuses) }
                                let failures = statuses.filter { $0.status != .confirmed }
                                return WaitAllResult(statuses: failures, confirmed: statuses.count - failures.count)
                            })
                        }
                    }
                }
            }
        case .subscribe:
            let connection = self.connection, sink = notifications
            return .deliver(write(SubscribeParams.self, id: id, data: data, silent: silent) { params, done, reply in
                var txids: [Hash256] = []
                for text in params.txids ?? [] {
                    guard let txid = Hash256(hex: text) else {
                        done.applied()
                        return reply { dispatcher.encodeError(id, Self.badTxid.rpcError) }
                    }
                    txids.append(txid)
                }
                let tips = params.tips ?? false, count = txids.count
                node.subscribe(connection: connection, txids: txids, tips: tips, sink: sink) { refusal in
                    done.applied()
                    let result: Result<SubscribeResult, NodeRequestError> = refusal.map { .failure($0) } ?? .success(SubscribeResult(txids: count, tips: tips))
                    reply { dispatcher.encode(id, result) }
                }
            })
        case .block:
            return .deliver(write(BlockParams.self, optional: true, id: id, data: data, silent: silent) { params, done, reply in
                var hash: Hash256?
                if let hex = params.hash {
                    guard let parsed = Hash256(hex: hex) else {
                        done.applied()
                        return reply { dispatcher.encodeError(id, RPCError(.invalidParams, "hash must be 64 hex digits")) }
                    }
                    hash = parsed
                }
                done.applied()  // a read: nothing of its own to wait for
                node.block(hash: hash, height: params.height, connection: connection) { result in reply { dispatcher.encode(id, result) } }
            })
        }
    }

    /// Hands a decoded, verified put to the owner.
    private func submission(_ transaction: Transaction, id: RPCID, silent: Bool) -> RPCDelivery {
        let node = self.node
        let dispatcher = self
        return .owner { done in
            node.submit(transaction, connection: connection) { result in
                done.applied()
                done.reply { silent ? nil : dispatcher.encode(id, result.map(TxStatusResult.init)) }
            }
        }
    }

    private func submitBatch(id: RPCID, data: Data, silent: Bool) -> RPCDelivery {
        let node = self.node
        let dispatcher = self
        let params: SubmitBatchParams
        switch decodeParams(data, SubmitBatchParams.self, optional: false) {
        case let .failure(error): return .reply(silent ? nil : encodeError(id, error))
        case let .success(decoded): params = decoded
        }
        guard params.txs.count <= 10_000 else {
            return .reply(silent ? nil : encodeError(id, RPCError(.invalidParams, "a batch holds at most 10,000 transactions, not \(params.txs.count)")))
        }
        let decoded = params.txs.map(Self.transaction(fromHex:))
        let valid = decoded.compactMap { try? $0.get() }
        // Every signature verified in parallel before the owner sees the batch.
        _ = node.signatures.firstInvalid(in: valid)
        return .owner { done in
            node.submit(batch: valid, connection: connection) { results in
                done.applied()
                done.replyBuiltElsewhere {
                    guard !silent else { return nil }
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
                    return dispatcher.encode(id, Result<SubmitBatchResult, NodeRequestError>.success(SubmitBatchResult(results: entries)))
                }
            }
        }
    }

    /// A write: `hand` gets the decoded params and reports through the completion; bad
    /// params are the reply.
    private func write<Params: Codable & Sendable>(
        _ type: Params.Type, optional: Bool = false, id: RPCID, data: Data, silent: Bool,
        _ hand: @escaping @Sendable (Params, RPCCompletion, @escaping @Sendable (@escaping @Sendable () -> String) -> Void) -> Void
    ) -> RPCDelivery {
        switch decodeParams(data, type, optional: optional) {
        case let .failure(error): return .reply(silent ? nil : encodeError(id, error))
        case let .success(params):
            return .owner { done in hand(params, done) { text in done.reply { silent ? nil : text() } } }
        }
    }

    fileprivate func decodeParams<Params: Codable & Sendable>(_ data: Data, _ type: Params.Type, optional: Bool) -> Result<Params, RPCError> {
        do {
            if optional, let request = try? decoder.decode(OptionalParams<Params>.self, from: data), request.params == nil,
               let empty = try? decoder.decode(Params.self, from: Data("{}".utf8)) {
                return .success(empty)
            }
            return .success(try decoder.decode(ParamsOnly<Params>.self, from: data).params)
        } catch {
            return .failure(RPCError(.invalidParams, "invalid params: \(Self.explain(error))"))
        }
    }

    fileprivate func encode<Output: Codable & Sendable>(_ id: RPCID, _ result: Result<Output, NodeRequestError>) -> String {
        switch result {
        case let .success(value):
            guard let encoded = try? encoder.encode(RPCResponse(id: id, result: value)) else {
                return encodeError(id, RPCError(.internalError, "could not encode the result"))
            }
            return String(decoding: encoded, as: UTF8.self)
        case let .failure(error):
            return encodeError(id, error.rpcError)
        }
    }

    fileprivate func encodeError(_ id: RPCID, _ error: RPCError) -> String {
        let response = RPCResponse<NoParams>(id: id, error: error)
        guard let data = try? encoder.encode(response) else {
            return #"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"could not encode an error"}}"#
        }
        return String(decoding: data, as: UTF8.self)
    }

    static let badTxid = NodeRequestError.invalidParameter("txid must be 64 hex digits")

    /// A transaction from the hex of its canonical encoding: bad hex is a bad parameter
    /// (-32602), bytes that are not a transaction a rejected one (-32010).
    static func transaction(fromHex text: String) -> Result<Transaction, NodeRequestError> {
        guard let bytes = Hex.decode(text) else { return .failure(.invalidParameter("tx must be hex digits, two per byte")) }
        do { return .success(try Transaction(decoding: bytes)) } catch { return .failure(.malformedTransaction(error.description)) }
    }

    /// A person-readable account of a JSON decoding failure: which field, what was wrong.
    static func explain(_ error: Error) -> String {
        guard let error = error as? Swift.DecodingError else { return "\(error)" }
        func path(_ keys: [CodingKey]) -> String {
            let names = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.isEmpty ? "the request" : names.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case let .keyNotFound(key, context): return "missing field '\(path(context.codingPath + [key]))'"
        case let .typeMismatch(type, context): return "'\(path(context.codingPath))' must be \(Self.describe(type))"
        case let .valueNotFound(type, context): return "'\(path(context.codingPath))' must be \(Self.describe(type)), not null"
        case let .dataCorrupted(context): return "'\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is UInt64.Type, is UInt32.Type: "a whole number"
        case is Double.Type, is Float.Type: "a number"
        case is [String].Type, is [Any].Type: "an array"
        default:
            // Never a Swift type name: the decoder names containers by their Swift types.
            String(describing: type).hasPrefix("Array") ? "an array"
                : String(describing: type).hasPrefix("Dictionary") ? "an object" : "a value of the type docs/PROTOCOL.md §8.4 gives"
        }
    }
}

private struct ParamsOnly<Params: Decodable>: Decodable {
    let params: Params
}

private struct OptionalParams<Params: Decodable>: Decodable {
    let params: Params?
}
