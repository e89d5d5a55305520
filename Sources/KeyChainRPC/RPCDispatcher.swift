import Foundation
import KeyChainAPI
import KeyChainCore
import KeyChainOwner
import NIOCore

/// Turns one request line into one `RPCStep`: parses it, finds its method's entry in
/// `RPCMethod+Table`, and words replies and errors. Every failure (bad JSON, unknown method,
/// wrong or missing params, a refused put) becomes a JSON-RPC error; nothing here throws or
/// traps. One dispatcher serves one connection.
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
        let call = RPCCall(dispatcher: self, id: id, data: data, silent: head.id == nil)
        return (RPCMethod.of(method).step(call), method.rawValue)
    }

    /// `get` without JSONDecoder: the hottest request, in its plain form. Nil sends the line
    /// down the full path (which also words any error).
    private func fastGet(_ bytes: UnsafeRawBufferPointer) -> RPCStep? {
        guard let request = FlatRequest.parse(bytes), request.jsonrpc == "2.0", request.method == "get",
              let id = request.id, request.params.count == 1, case let .string(key)? = request.params["key"] else { return nil }
        return .read { view in
            switch view.get(key) {
            case let .success(entry): JSONText.reply(id: id, version: VersionResult(entry))
            case let .failure(error): encodeError(id, error.rpcError)
            }
        }
    }

    func decodeParams<Params: Decodable & Sendable>(_ data: Data, _ type: Params.Type, optional: Bool) -> Result<Params, RPCError> {
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

    func encode<Output: Codable & Sendable>(_ id: RPCID, _ result: Result<Output, NodeRequestError>) -> String {
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

    func encodeError(_ id: RPCID, _ error: RPCError) -> String {
        let response = RPCResponse<NoParams>(id: id, error: error)
        guard let data = try? encoder.encode(response) else {
            return #"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"could not encode an error"}}"#
        }
        return String(decoding: data, as: UTF8.self)
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
