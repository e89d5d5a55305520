import Foundation
import KeyChainAPI
import KeyChainCore
import NIOCore

/// A reply: ready now (reads, answered on the socket's event loop), or later (work that checks
/// signatures or waits, done off the event loop). Nil text means no reply (a notification).
enum RPCReply {
    case now(String?)
    case later(@Sendable () async -> String?)
}

/// Turns one request line into one reply line. Every failure (bad JSON, unknown method, wrong
/// or missing params, a refused put) becomes a JSON-RPC error; nothing here throws or traps.
/// One dispatcher serves one connection.
struct RPCDispatcher: Sendable {
    let node: Node
    let connection: UInt64
    let notifications: @Sendable (String) -> Void
    private let decoder = JSONDecoder()
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    init(node: Node, connection: UInt64, notifications: @escaping @Sendable (String) -> Void) {
        self.node = node
        self.connection = connection
        self.notifications = notifications
    }

    /// The reply to a frame.
    func reply(to frame: LineFrame, maxLength: Int) -> RPCReply {
        switch frame {
        case let .tooLong(length):
            return .now(encodeError(.null, RPCError(.invalidRequest, "request of \(length) bytes exceeds the limit of \(maxLength) bytes")))
        case let .line(buffer):
            if let fast = buffer.withUnsafeReadableBytes({ fastGet($0) }) { return .now(fast) }
            let data = Data(buffer.readableBytesView)
            if data.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .now(nil) }
            return reply(to: data)
        }
    }

    func reply(to data: Data) -> RPCReply {
        if let fast = data.withUnsafeBytes({ fastGet($0) }) { return .now(fast) }
        let head: RPCRequestHead
        do {
            head = try decoder.decode(RPCRequestHead.self, from: data)
        } catch {
            guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
                return .now(encodeError(.null, RPCError(.parseError, "the line is not valid JSON")))
            }
            guard object is [String: Any] else {
                return .now(encodeError(.null, RPCError(.invalidRequest, "a request is one JSON object per line (batch arrays are not supported)")))
            }
            return .now(encodeError(.null, RPCError(.invalidRequest, "not a JSON-RPC 2.0 request: \(Self.explain(error))")))
        }
        let id = head.id ?? .null
        guard head.jsonrpc == "2.0" else {
            return .now(encodeError(id, RPCError(.invalidRequest, "\"jsonrpc\" must be \"2.0\"")))
        }
        guard let method = APIMethod(rawValue: head.method) else {
            let known = APIMethod.allCases.map(\.rawValue).joined(separator: ", ")
            return .now(encodeError(id, RPCError(.methodNotFound, "unknown method '\(head.method)'; the methods are: \(known)")))
        }
        let silent = head.id == nil
        let started = DispatchTime.now().uptimeNanoseconds
        switch method {
        case .put, .submit, .submitBatch, .wait, .waitAll:
            // Signature checks and waits: off the event loop.
            let dispatcher = self
            return .later {
                let reply = await dispatcher.dispatch(method, id: id, data: data)
                NodeMetrics.rpcTimer(method.rawValue).recordNanoseconds(DispatchTime.now().uptimeNanoseconds - started)
                return silent ? nil : reply
            }
        default:
            let reply = dispatchNow(method, id: id, data: data)
            NodeMetrics.rpcTimer(method.rawValue).recordNanoseconds(DispatchTime.now().uptimeNanoseconds - started)
            return .now(silent ? nil : reply)
        }
    }

    /// `get` without JSONDecoder: the hottest request, in its plain form. Nil sends the line
    /// down the full path (which also words any error).
    private func fastGet(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard let request = FlatRequest.parse(bytes), request.jsonrpc == "2.0", request.method == "get",
              let id = request.id, request.params.count == 1, case let .string(key)? = request.params["key"] else { return nil }
        let started = DispatchTime.now().uptimeNanoseconds
        defer { NodeMetrics.rpcTimer("get").recordNanoseconds(DispatchTime.now().uptimeNanoseconds - started) }
        switch node.get(key) {
        case let .success(version): return JSONText.reply(id: id, version: version)
        case let .failure(error): return encodeError(id, error)
        }
    }

    /// The methods answered on the event loop: short reads under the node's lock.
    private func dispatchNow(_ method: APIMethod, id: RPCID, data: Data) -> String {
        switch method {
        case .get:
            switch decodeParams(id, data, KeyParams.self, optional: false) {
            case let .failure(error): return encodeError(id, error)
            case let .success(params):
                switch node.get(params.key) {
                case let .success(version): return JSONText.reply(id: id, version: version)
                case let .failure(error): return encodeError(id, error)
                }
            }
        case .history:
            return callNow(id, data, KeyParams.self) { node.history($0.key) }
        case .tx:
            return callNow(id, data, TxParams.self) { (params: TxParams) -> Result<TxStatusResult, RPCError> in
                guard let txid = Hash256(hex: params.txid) else { return .failure(Self.badTxid) }
                return node.transactionStatus(txid)
            }
        case .subscribe:
            return callNow(id, data, SubscribeParams.self) { (params: SubscribeParams) -> Result<SubscribeResult, RPCError> in
                var txids: [Hash256] = []
                for text in params.txids ?? [] {
                    guard let txid = Hash256(hex: text) else { return .failure(Self.badTxid) }
                    txids.append(txid)
                }
                node.subscribe(connection: connection, txids: txids, tips: params.tips ?? false, sink: notifications)
                return .success(SubscribeResult(txids: txids.count, tips: params.tips ?? false))
            }
        case .status:
            return callNow(id, data, NoParams.self, optional: true) { _ in .success(node.status()) }
        case .block:
            return callNow(id, data, BlockParams.self, optional: true) { node.block($0) }
        case .keys:
            return callNow(id, data, KeysParams.self, optional: true) { node.keys($0) }
        default:
            return encodeError(id, RPCError(.internalError, "method \(method.rawValue) is not a read"))
        }
    }

    /// The methods that check signatures or wait.
    private func dispatch(_ method: APIMethod, id: RPCID, data: Data) async -> String {
        switch method {
        case .put:
            return await call(id, data, PutParams.self) { node.put($0) }
        case .submit:
            return await call(id, data, SubmitParams.self) { (params: SubmitParams) -> Result<TxStatusResult, RPCError> in
                guard let transaction = Self.transaction(fromHex: params.tx) else {
                    return .failure(RPCError(.invalidParams, "tx must be the hex of a canonically encoded transaction (docs/PROTOCOL.md §2)"))
                }
                _ = node.signatures.isValid(transaction)  // verify here, off the node's actor
                return node.submit(transaction)
            }
        case .submitBatch:
            return await call(id, data, SubmitBatchParams.self) { (params: SubmitBatchParams) -> Result<SubmitBatchResult, RPCError> in
                await submitBatch(params)
            }
        case .wait:
            return await call(id, data, WaitParams.self) { (params: WaitParams) -> Result<TxStatusResult, RPCError> in
                guard let txid = Hash256(hex: params.txid) else { return .failure(Self.badTxid) }
                let timeout = Duration.milliseconds(Int64(min(params.timeoutMs ?? 60_000, 3_600_000)))
                return await node.wait(for: [txid], depth: params.depth ?? 1, timeout: timeout).map { $0[0] }
            }
        case .waitAll:
            return await call(id, data, WaitAllParams.self) { (params: WaitAllParams) -> Result<WaitAllResult, RPCError> in
                var txids: [Hash256] = []
                for text in params.txids {
                    guard let txid = Hash256(hex: text) else { return .failure(Self.badTxid) }
                    txids.append(txid)
                }
                guard !txids.isEmpty, txids.count <= 100_000 else {
                    return .failure(RPCError(.invalidParams, "txids must hold 1-100,000 entries"))
                }
                let timeout = Duration.milliseconds(Int64(min(params.timeoutMs ?? 60_000, 3_600_000)))
                let many = txids.count > 1 ? txids : txids + txids  // two entries: statuses, never a thrown failure
                return await node.wait(for: many, depth: params.depth ?? 1, timeout: timeout).map {
                    let statuses = $0.prefix(txids.count)
                    guard params.failuresOnly == true else { return WaitAllResult(statuses: Array(statuses)) }
                    let failures = statuses.filter { $0.status != .confirmed }
                    return WaitAllResult(statuses: failures, confirmed: statuses.count - failures.count)
                }
            }
        default:
            return dispatchNow(method, id: id, data: data)
        }
    }

    private func submitBatch(_ params: SubmitBatchParams) async -> Result<SubmitBatchResult, RPCError> {
        guard params.txs.count <= 10_000 else {
            return .failure(RPCError(.invalidParams, "a batch holds at most 10,000 transactions, not \(params.txs.count)"))
        }
        var decoded: [Transaction?] = params.txs.map(Self.transaction(fromHex:))
        // Verify every signature in parallel before taking the node's actor.
        _ = node.signatures.firstInvalid(in: decoded.compactMap { $0 })
        let valid = decoded.compactMap { $0 }
        let results = node.submit(batch: valid)
        var entries: [SubmitBatchResult.Entry] = []
        var next = results.makeIterator()
        for index in decoded.indices {
            guard let transaction = decoded[index] else {
                entries.append(.init(txid: nil, error: RPCError(.invalidParams, "txs[\(index)] is not the hex of a canonically encoded transaction")))
                continue
            }
            switch next.next() {
            case .success?: entries.append(.init(txid: transaction.id.hex, error: nil))
            case let .failure(error)?: entries.append(.init(txid: transaction.id.hex, error: error))
            case nil: entries.append(.init(txid: transaction.id.hex, error: RPCError(.internalError, "no result")))
            }
            decoded[index] = nil
        }
        return .success(SubmitBatchResult(results: entries))
    }

    /// `call` for synchronous bodies.
    private func callNow<Params: Codable & Sendable, Output: Codable & Sendable>(
        _ id: RPCID, _ data: Data, _ type: Params.Type, optional: Bool = false,
        _ body: (Params) -> Result<Output, RPCError>
    ) -> String {
        switch decodeParams(id, data, type, optional: optional) {
        case let .failure(error): return encodeError(id, error)
        case let .success(params): return encode(id, body(params))
        }
    }

    private func decodeParams<Params: Codable & Sendable>(_ id: RPCID, _ data: Data, _ type: Params.Type, optional: Bool) -> Result<Params, RPCError> {
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

    private func encode<Output: Codable & Sendable>(_ id: RPCID, _ result: Result<Output, RPCError>) -> String {
        switch result {
        case let .success(value):
            guard let encoded = try? encoder.encode(RPCResponse(id: id, result: value)) else {
                return encodeError(id, RPCError(.internalError, "could not encode the result"))
            }
            return String(decoding: encoded, as: UTF8.self)
        case let .failure(error):
            return encodeError(id, error)
        }
    }

    /// Decodes params (absent params allowed when `optional`), runs `body`, encodes the reply.
    private func call<Params: Codable & Sendable, Output: Codable & Sendable>(
        _ id: RPCID, _ data: Data, _ type: Params.Type, optional: Bool = false,
        _ body: (Params) async -> Result<Output, RPCError>
    ) async -> String {
        switch decodeParams(id, data, type, optional: optional) {
        case let .failure(error): return encodeError(id, error)
        case let .success(params): return encode(id, await body(params))
        }
    }

    private func encodeError(_ id: RPCID, _ error: RPCError) -> String {
        let response = RPCResponse<NoParams>(id: id, error: error)
        guard let data = try? encoder.encode(response) else {
            return #"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"could not encode an error"}}"#
        }
        return String(decoding: data, as: UTF8.self)
    }

    static let badTxid = RPCError(.invalidParams, "txid must be 64 hex digits")

    static func transaction(fromHex text: String) -> Transaction? {
        guard let bytes = Hex.decode(text) else { return nil }
        return try? Transaction(decoding: bytes)
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
        case is [String].Type, is [Any].Type: "an array"
        default: "a \(type)"
        }
    }
}

private struct ParamsOnly<Params: Decodable>: Decodable {
    let params: Params
}

private struct OptionalParams<Params: Decodable>: Decodable {
    let params: Params?
}
